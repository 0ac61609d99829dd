/**
 * Exit codes of `paystate-ops` (documented in tools/ops/README.md). The numbers follow sysexits so a
 * script can tell "try again later" from "this would be unsafe" from "you typed it wrong".
 */
export const EXIT = {
  /** The command did what was asked, or the check found nothing wrong. */
  ok: 0,
  /** A check found problems, or an operation failed (the output says which). */
  failure: 1,
  /** Bad flags or arguments: an unknown service, group, topic, order or dead letter; a time without a zone. */
  usage: 64,
  /** Kafka, Kafka Connect, PostgreSQL or a service could not be reached (the message names which). */
  unavailable: 69,
  /** A bug in ops itself. */
  bug: 70,
  /** Refused for now: a consumer group is active or rebalancing; stop its members and retry. */
  busy: 75,
  /** Refused as unsafe: a guard (dedup horizon, retention, a running service) would be broken. */
  refused: 77,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with the exit code it ends the command with and, where there is one, what to do next. */
export class OpsError extends Error {
  override readonly name = 'OpsError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** What the operator should do about it. */
    readonly hint?: string,
    /** Structured detail for `--json` (e.g. the active members of a group). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string): OpsError => new OpsError(EXIT.usage, message, hint);
export const unavailable = (component: string, cause: unknown, hint?: string): OpsError =>
  new OpsError(EXIT.unavailable, `${component} is unreachable: ${describe(cause)}`, hint ?? 'check that it is running and that ops points at it (`paystate-ops env`)');
export const refused = (message: string, hint?: string, details?: unknown): OpsError => new OpsError(EXIT.refused, message, hint, details);
export const busy = (message: string, hint?: string, details?: unknown): OpsError => new OpsError(EXIT.busy, message, hint, details);
export const failure = (message: string, hint?: string, details?: unknown): OpsError => new OpsError(EXIT.failure, message, hint, details);

export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describe).join('; ');
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const codeText = typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
    return codeText && !error.message.includes(codeText) ? `${error.message} (${codeText})` : error.message || error.name;
  }
  return String(error);
}
