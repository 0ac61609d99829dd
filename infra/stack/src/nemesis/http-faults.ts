// Faults that a component injects itself, armed over its own test API: processor-sim's fault admin
// (apps/processor-sim/src/domain/faults.ts), fulfilment-service's simulated carrier
// (/admin/carrier/faults) and the SMTP sink's Mailpit-style chaos triggers (smtp-sink/chaos.ts).
// Arguments are checked here first, so a typo fails with a clear message rather than an HTTP 400.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from '../profile';
import type { ChaosTriggers } from '../smtp-sink/chaos';
import { StackInfo } from '../state';

async function call<T>(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new StackError(`${method} ${url} → HTTP ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

// ---- processor-sim

/** Kept in step with processor-sim's domain (faults.ts, operation.ts); its admin API rejects anything else. */
export const PROCESSOR_OPERATIONS = ['authorise', 'capture', 'void', 'refund'] as const;
export const PROCESSOR_FAULT_KINDS = ['latency', 'timeout', 'error500', 'error429', 'drop-response'] as const;
export type ProcessorOperation = (typeof PROCESSOR_OPERATIONS)[number];
export type ProcessorFaultKind = (typeof PROCESSOR_FAULT_KINDS)[number];

export interface ProcessorFault {
  operation: ProcessorOperation | 'any';
  /** `drop-response`: the call executes and commits, and its answer is lost (the lost response). */
  kind: ProcessorFaultKind;
  /** Required for `latency`. */
  latencyMs?: number;
  /** Chance per matching call, 0..1 (default 1). */
  rate?: number;
  /** Matching calls to affect; absent: until cleared. */
  count?: number;
}

export interface ArmedProcessorFault extends Required<Pick<ProcessorFault, 'operation' | 'kind'>> {
  id: string;
  latencyMs: number;
  rate: number;
  remaining: number | null;
  applied: number;
}

export interface WebhookMode {
  duplicate: boolean;
  outOfOrder: boolean;
  /** Out of order: how long a reference must be quiet before its held events go out, newest first. */
  holdMs?: number;
}

/** Throws a StackError naming what is wrong with `fault`. */
export function checkProcessorFault(fault: ProcessorFault): void {
  const ops: readonly string[] = [...PROCESSOR_OPERATIONS, 'any'];
  if (!ops.includes(fault.operation)) throw new StackError(`unknown processor operation "${fault.operation}" (known: ${ops.join(', ')})`);
  if (!(PROCESSOR_FAULT_KINDS as readonly string[]).includes(fault.kind)) {
    throw new StackError(`unknown processor fault "${fault.kind}" (known: ${PROCESSOR_FAULT_KINDS.join(', ')})`);
  }
  if (fault.kind === 'latency' && fault.latencyMs === undefined) throw new StackError('a latency fault needs latencyMs');
  if (fault.latencyMs !== undefined && (!Number.isInteger(fault.latencyMs) || fault.latencyMs < 0 || fault.latencyMs > 600_000)) {
    throw new StackError(`latencyMs must be an integer from 0 to 600000, not ${fault.latencyMs}`);
  }
  if (fault.rate !== undefined && !(fault.rate >= 0 && fault.rate <= 1)) throw new StackError(`rate must be between 0 and 1, not ${fault.rate}`);
  if (fault.count !== undefined && !(Number.isInteger(fault.count) && fault.count > 0)) throw new StackError(`count must be a positive integer, not ${fault.count}`);
}

/** processor-sim's fault admin (mounted when PROCESSOR_ADMIN_ENABLED=true, as in the stack's env). */
export class ProcessorFaults {
  constructor(readonly url: string) {}

  async inject(fault: ProcessorFault): Promise<ArmedProcessorFault> {
    checkProcessorFault(fault);
    return call<ArmedProcessorFault>('POST', `${this.url}/admin/faults`, { body: fault });
  }

  async list(): Promise<ArmedProcessorFault[]> {
    return (await call<{ data: ArmedProcessorFault[] }>('GET', `${this.url}/admin/faults`)).data;
  }

  async remove(id: string): Promise<void> {
    await call('DELETE', `${this.url}/admin/faults/${encodeURIComponent(id)}`);
  }

  /** Removes every fault; resolves to how many there were. */
  async clear(): Promise<number> {
    return (await call<{ removed: number }>('DELETE', `${this.url}/admin/faults`)).removed;
  }

  /** Webhooks duplicated and/or delivered out of order; `{ duplicate: false, outOfOrder: false }` is normal delivery. */
  async webhooks(mode: WebhookMode): Promise<WebhookMode> {
    if (mode.holdMs !== undefined && !(Number.isInteger(mode.holdMs) && mode.holdMs >= 0 && mode.holdMs <= 600_000)) {
      throw new StackError(`holdMs must be an integer from 0 to 600000, not ${mode.holdMs}`);
    }
    return call<WebhookMode>('POST', `${this.url}/admin/webhooks/mode`, { body: mode });
  }
}

// ---- fulfilment-service's carrier

export interface CarrierFaultState {
  failNext: number;
  failRate: number;
}

const run = promisify(execFile);

/**
 * fulfilment-service's simulated carrier. Its admin API takes an API key with `stock:write`: given,
 * or made once through fulfilment-service's own CLI, as an operator would.
 */
export class CarrierFaults {
  private key: Promise<string> | undefined;

  constructor(
    private readonly info: StackInfo,
    private readonly repoRoot: string,
    private readonly opts: { url?: string; apiKey?: string } = {},
  ) {}

  get url(): string {
    const url = this.opts.url ?? this.info.services['fulfilment-service']?.url;
    if (!url) throw new StackError(`fulfilment-service is not part of the ${this.info.profile} stack`);
    return url;
  }

  private apiKey(): Promise<string> {
    if (this.opts.apiKey) return Promise.resolve(this.opts.apiKey);
    this.key ??= (async () => {
      const svc = this.info.services['fulfilment-service'];
      const cli = path.join(this.repoRoot, 'apps', 'fulfilment-service', 'dist', 'src', 'cli', 'create-api-key.js');
      if (!svc || !existsSync(cli)) throw new StackError(`${cli} is missing; run \`npm run build\` first`);
      const args = [cli, '--client', `nemesis-${randomUUID().slice(0, 8)}`, '--name', 'nemesis', '--scopes', 'stock:read,stock:write'];
      const { stdout } = await run(process.execPath, args, { cwd: this.repoRoot, env: { ...process.env, ...svc.env } });
      return stdout.trim();
    })();
    return this.key;
  }

  private async send<T>(method: string, body?: unknown): Promise<T> {
    const headers = { authorization: `Bearer ${await this.apiKey()}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) };
    return call<T>(method, `${this.url}/admin/carrier/faults`, { headers, ...(body !== undefined ? { body } : {}) });
  }

  /** The next `count` hand-overs to the carrier fail. */
  failNext(count: number): Promise<CarrierFaultState> {
    if (!(Number.isInteger(count) && count >= 0 && count <= 1_000_000)) throw new StackError(`failNext takes an integer from 0 to 1000000, not ${count}`);
    return this.send('POST', { failNext: count });
  }

  /** Each hand-over fails with chance `rate` (0..1). */
  failRate(rate: number): Promise<CarrierFaultState> {
    if (!(rate >= 0 && rate <= 1)) throw new StackError(`failRate takes a number between 0 and 1, not ${rate}`);
    return this.send('POST', { failRate: rate });
  }

  current(): Promise<CarrierFaultState> {
    return this.send('GET');
  }

  clear(): Promise<CarrierFaultState> {
    return this.send('DELETE');
  }
}

// ---- the SMTP server

export interface SmtpRefusal {
  /** 4xx (default 451): the sender should try again later; 5xx: a permanent failure. */
  code?: number;
  /** Percent of the commands refused, 1..100 (default 100). */
  probability?: number;
  /** At MAIL FROM or at RCPT TO (default). */
  at?: 'sender' | 'recipient';
}

/** Throws a StackError naming what is wrong with `refusal`. */
export function checkSmtpRefusal(refusal: SmtpRefusal): void {
  const code = refusal.code ?? 451;
  if (!Number.isInteger(code) || code < 400 || code > 599) throw new StackError(`an SMTP refusal code is 400..599, not ${code}`);
  const p = refusal.probability ?? 100;
  if (!Number.isInteger(p) || p < 1 || p > 100) throw new StackError(`probability is a percentage from 1 to 100, not ${p}`);
  if (refusal.at !== undefined && refusal.at !== 'sender' && refusal.at !== 'recipient') throw new StackError(`refusal at "${String(refusal.at)}": sender or recipient`);
}

/** The SMTP server's refusals, through Mailpit's chaos API (the native sink serves it; Mailpit does with --enable-chaos). */
export class SmtpFaults {
  constructor(readonly apiUrl: string) {}

  /** From now on, mail is refused (until accept()). */
  refuse(refusal: SmtpRefusal = {}): Promise<ChaosTriggers> {
    checkSmtpRefusal(refusal);
    const trigger = { ErrorCode: refusal.code ?? 451, Probability: refusal.probability ?? 100 };
    return call<ChaosTriggers>('PUT', `${this.apiUrl}/api/v1/chaos`, { body: refusal.at === 'sender' ? { Sender: trigger } : { Recipient: trigger } });
  }

  /** Mail is accepted again. */
  accept(): Promise<ChaosTriggers> {
    return call<ChaosTriggers>('PUT', `${this.apiUrl}/api/v1/chaos`, { body: {} });
  }

  current(): Promise<ChaosTriggers> {
    return call<ChaosTriggers>('GET', `${this.apiUrl}/api/v1/chaos`);
  }
}
