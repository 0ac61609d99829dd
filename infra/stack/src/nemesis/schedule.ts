// A schedule of faults (Jepsen's generator, kept simple): faults as data, a seeded plan of when
// each strikes, and a runner that injects each one and heals it. Faults run one after another, so a
// run is reproducible from its seed and every fault's heal time is its own.
import { sleep } from '../processes';
import { StackError } from '../profile';
import { ProcessorFault, SmtpRefusal, WebhookMode, checkProcessorFault, checkSmtpRefusal } from './http-faults';
import { Nemesis } from './nemesis';

export type Fault =
  /** SIGKILL, `downMs` of nothing, started again and serving. */
  | { kind: 'kill'; target: string; downMs?: number }
  /** SIGTERM (a deploy, a scale-in), then the same. */
  | { kind: 'terminate'; target: string; downMs?: number }
  /** SIGSTOP for `forMs`, then SIGCONT. */
  | { kind: 'pause'; target: string; forMs: number }
  | { kind: 'processor'; fault: ProcessorFault; forMs: number }
  | { kind: 'webhooks'; mode: WebhookMode; forMs: number }
  | { kind: 'carrier'; failRate: number; forMs: number }
  | { kind: 'smtp-refusal'; refusal?: SmtpRefusal; forMs: number }
  /** pg_terminate_backend of a service's client connections: instantaneous, nothing to heal. */
  | { kind: 'db-connections'; service: string };

export interface ScheduledFault {
  /** From the start of the run. */
  atMs: number;
  fault: Fault;
}

export interface FaultOutcome {
  fault: Fault;
  /** Epoch ms. */
  injectedAt: number;
  /** When the heal finished (the target serves again, the fault is cleared). */
  healedAt: number;
  error?: string;
}

/** mulberry32: a small seeded generator of numbers in [0, 1), so a plan is the same for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Faults drawn from `menu` at gaps of 0.5–1.5 × `meanGapMs`, until `durationMs`. */
export function planFaults(opts: { seed: number; durationMs: number; meanGapMs: number; menu: readonly Fault[] }): ScheduledFault[] {
  if (!(opts.durationMs > 0) || !(opts.meanGapMs > 0)) throw new StackError('a fault plan needs a positive duration and mean gap');
  if (opts.menu.length === 0) throw new StackError('a fault plan needs at least one fault to choose from');
  const random = seededRandom(opts.seed);
  const plan: ScheduledFault[] = [];
  for (let at = opts.meanGapMs * (0.5 + random()); at < opts.durationMs; at += opts.meanGapMs * (0.5 + random())) {
    const fault = opts.menu[Math.floor(random() * opts.menu.length)] as Fault;
    plan.push({ atMs: Math.round(at), fault });
  }
  return plan;
}

/** Throws a StackError naming the first fault of `faults` the nemesis could not carry out. */
export function checkFaults(nemesis: Nemesis, faults: readonly Fault[]): void {
  for (const fault of faults) {
    switch (fault.kind) {
      case 'kill':
      case 'terminate':
      case 'pause':
        nemesis.target(fault.target);
        break;
      case 'processor':
        checkProcessorFault(fault.fault);
        break;
      case 'smtp-refusal':
        checkSmtpRefusal(fault.refusal ?? {});
        break;
      case 'carrier':
        if (!(fault.failRate >= 0 && fault.failRate <= 1)) throw new StackError(`failRate takes a number between 0 and 1, not ${fault.failRate}`);
        break;
      case 'db-connections':
        nemesis.service(fault.service);
        break;
      case 'webhooks':
        break;
    }
  }
}

/** Injects one fault and heals it; the heal runs even when the injection failed half-way. */
export async function applyFault(nemesis: Nemesis, fault: Fault): Promise<FaultOutcome> {
  const injectedAt = Date.now();
  try {
    switch (fault.kind) {
      case 'kill':
      case 'terminate':
        await nemesis.target(fault.target).restart({ signal: fault.kind === 'kill' ? 'SIGKILL' : 'SIGTERM', downMs: fault.downMs ?? 0 });
        break;
      case 'pause': {
        const target = nemesis.target(fault.target);
        await target.pause();
        try {
          await sleep(fault.forMs);
        } finally {
          await target.resume();
        }
        break;
      }
      case 'processor': {
        const armed = await nemesis.processor().inject(fault.fault);
        try {
          await sleep(fault.forMs);
        } finally {
          await nemesis.processor().remove(armed.id).catch(() => undefined); // a counted fault may be used up and gone
        }
        break;
      }
      case 'webhooks':
        await nemesis.processor().webhooks(fault.mode);
        try {
          await sleep(fault.forMs);
        } finally {
          await nemesis.processor().webhooks({ duplicate: false, outOfOrder: false });
        }
        break;
      case 'carrier': {
        const carrier = nemesis.carrier();
        await carrier.failRate(fault.failRate);
        try {
          await sleep(fault.forMs);
        } finally {
          await carrier.clear();
        }
        break;
      }
      case 'smtp-refusal':
        await nemesis.smtp.refuse(fault.refusal);
        try {
          await sleep(fault.forMs);
        } finally {
          await nemesis.smtp.accept();
        }
        break;
      case 'db-connections':
        await nemesis.killDatabaseConnections(fault.service);
        break;
    }
    return { fault, injectedAt, healedAt: Date.now() };
  } catch (err) {
    return { fault, injectedAt, healedAt: Date.now(), error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Runs a plan: each fault at its time (or as soon as the one before it has healed), checked before
 * anything is broken. Resolves to what happened, fault by fault; `signal` stops it between faults.
 */
export async function runSchedule(
  nemesis: Nemesis,
  plan: readonly ScheduledFault[],
  opts: { onFault?: (outcome: FaultOutcome) => void; signal?: AbortSignal } = {},
): Promise<FaultOutcome[]> {
  checkFaults(
    nemesis,
    plan.map((p) => p.fault),
  );
  const t0 = Date.now();
  const outcomes: FaultOutcome[] = [];
  for (const { atMs, fault } of plan) {
    const wait = t0 + atMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (opts.signal?.aborted) break;
    const outcome = await applyFault(nemesis, fault);
    outcomes.push(outcome);
    opts.onFault?.(outcome);
  }
  return outcomes;
}
