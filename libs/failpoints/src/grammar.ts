import { FailpointName, definitionOf } from './catalogue';

/**
 * The action grammar (after TiKV's fail-rs), the value of PAYSTATE_FAILPOINTS:
 *
 *   spec   = entry *( ";" entry )            e.g. order.place.before-commit=delay(3000);order.place.after-commit=kill
 *   entry  = name "=" chain
 *   chain  = task *( "->" task )             tasks run in order, each until its count is used up
 *   task   = [ count "*" ] action            without a count the task applies every time from then on
 *   action = "kill" | "throw" | "off" | "delay(" ms ")"
 *
 * `kill` is SIGKILL of the process (no cleanup, like a power cut), `throw` an error at the site,
 * `delay(ms)` a wait (only where the site awaits), `off` nothing. After the last counted task the
 * point is off: `1*throw` fails once, `2*off->kill` kills on the third pass.
 */
export type FailpointAction = { kind: 'kill' } | { kind: 'throw' } | { kind: 'off' } | { kind: 'delay'; ms: number };

export interface FailpointTask {
  readonly action: FailpointAction;
  /** How many passes this task takes; undefined: every pass from here on. */
  readonly count?: number;
}

/** What PAYSTATE_FAILPOINTS arms: each named point with its chain. Empty: nothing armed. */
export type FailpointPlan = ReadonlyMap<FailpointName, readonly FailpointTask[]>;

/** A spec the grammar or the catalogue refuses; the message names the point and the problem. */
export class FailpointSpecError extends Error {
  override readonly name = 'FailpointSpecError';
}

/** Generous for a test, short enough that a typo (a missing unit, say) is caught. */
const MAX_DELAY_MS = 10 * 60_000;

export function parseFailpoints(spec: string): FailpointPlan {
  const plan = new Map<FailpointName, readonly FailpointTask[]>();
  for (const raw of spec.split(';')) {
    const entry = raw.trim();
    if (entry === '') continue; // tolerates a trailing ';' and an empty variable
    const eq = entry.indexOf('=');
    if (eq < 0) throw new FailpointSpecError(`"${entry}": expected <point>=<action>`);
    const name = entry.slice(0, eq).trim();
    const definition = definitionOf(name);
    if (!definition) throw new FailpointSpecError(`${name}: no such failpoint (see FAILPOINTS in @paystate/failpoints)`);
    if (plan.has(name as FailpointName)) throw new FailpointSpecError(`${name}: armed twice`);
    const tasks = parseChain(name, entry.slice(eq + 1));
    if (!definition.async && tasks.some((t) => t.action.kind === 'delay')) {
      throw new FailpointSpecError(`${name}: cannot delay, its site does not wait (kill, throw or off)`);
    }
    plan.set(name as FailpointName, tasks);
  }
  return plan;
}

function parseChain(name: string, chain: string): FailpointTask[] {
  const tasks = chain.split('->').map((t) => parseTask(name, t.trim()));
  const unbounded = tasks.findIndex((t) => t.count === undefined);
  if (unbounded >= 0 && unbounded < tasks.length - 1) {
    throw new FailpointSpecError(`${name}: "${chain.trim()}": nothing after an uncounted task is ever reached`);
  }
  return tasks;
}

const TASK = /^(?:(\d+)\*)?(kill|throw|off|delay\((\d+)\))$/;

function parseTask(name: string, task: string): FailpointTask {
  const match = TASK.exec(task);
  if (!match) throw new FailpointSpecError(`${name}: "${task}" is not an action (kill, throw, off, delay(ms), with an optional count N*)`);
  const [, count, word, ms] = match;
  const action: FailpointAction = ms !== undefined ? { kind: 'delay', ms: Number(ms) } : { kind: word as 'kill' | 'throw' | 'off' };
  if (action.kind === 'delay' && action.ms > MAX_DELAY_MS) throw new FailpointSpecError(`${name}: delay(${action.ms}) is longer than ${MAX_DELAY_MS} ms`);
  if (count === undefined) return { action };
  const n = Number(count);
  if (n < 1) throw new FailpointSpecError(`${name}: a count is at least 1 (got ${count})`);
  return { action, count: n };
}

/** The grammar's words, for tests that write a chain with the compiler's help. */
type Word = 'kill' | 'throw' | 'off' | `delay(${number})`;
type Task = Word | `${number}*${Word}`;
export type FailpointChain = Task | `${Task}->${string}`;

/**
 * The value of PAYSTATE_FAILPOINTS for these points, checked on the way (a bad chain throws here,
 * in the test, rather than in the service's config): `{ PAYSTATE_FAILPOINTS: failpointsEnv({ 'order.place.after-commit': 'kill' }) }`.
 */
export function failpointsEnv(points: Partial<Record<FailpointName, FailpointChain>>): string {
  const spec = Object.entries(points)
    .map(([name, chain]) => `${name}=${chain}`)
    .join(';');
  parseFailpoints(spec);
  return spec;
}

/** The plan written back in the grammar (for the boot log line). */
export function describePlan(plan: FailpointPlan): string {
  return [...plan].map(([name, tasks]) => `${name}=${tasks.map(describeTask).join('->')}`).join(';');
}

function describeTask(task: FailpointTask): string {
  const action = task.action.kind === 'delay' ? `delay(${task.action.ms})` : task.action.kind;
  return task.count === undefined ? action : `${task.count}*${action}`;
}

/**
 * PAYSTATE_FAILPOINTS as a config field, for a schema's transform (zod's ctx fits `addIssue`):
 * `PAYSTATE_FAILPOINTS: z.string().default('').transform(failpointsSetting)`. A refused spec
 * becomes a config error naming the point and the problem; the service does not start.
 */
export function failpointsSetting(value: string, ctx: { addIssue(message: string): void }): FailpointPlan {
  try {
    return parseFailpoints(value);
  } catch (error) {
    if (!(error instanceof FailpointSpecError)) throw error;
    ctx.addIssue(error.message);
    return new Map();
  }
}
