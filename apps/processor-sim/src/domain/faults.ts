import { OperationName } from './operation';

/**
 * Injected faults. They apply before the idempotency layer, like a real processor's load balancer
 * or rate limiter, except `drop-response`, which lets the call execute and commit and then loses
 * the answer (the lost response of the seeds).
 */
export const FAULT_KINDS = ['latency', 'timeout', 'error500', 'error429', 'drop-response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultTarget = OperationName | 'any';

export interface Fault {
  id: string;
  operation: FaultTarget;
  kind: FaultKind;
  /** For `latency`: how long to wait before proceeding. */
  latencyMs: number;
  /** Probability that a matching call gets the fault, 0..1. */
  rate: number;
  /** Matching calls still to affect; null: unlimited. */
  remaining: number | null;
  /** How many calls it has affected so far. */
  applied: number;
  createdAt: Date;
}

export interface NewFault {
  operation: FaultTarget;
  kind: FaultKind;
  latencyMs?: number;
  rate?: number;
  count?: number;
}

export function defineFault(input: NewFault, ctx: { id: string; now: Date }): Fault {
  return {
    id: ctx.id,
    operation: input.operation,
    kind: input.kind,
    latencyMs: input.latencyMs ?? 0,
    rate: input.rate ?? 1,
    remaining: input.count ?? null,
    applied: 0,
    createdAt: ctx.now,
  };
}

/**
 * The fault a call to `operation` gets, if any: the first fault (in the order they were defined)
 * that targets it, has calls left and wins its roll. `roll` returns numbers in [0, 1); it is only
 * asked for faults with a rate below 1, so count-based faults are deterministic.
 */
export function pickFault(faults: readonly Fault[], operation: OperationName, roll: () => number): { fault: Fault; faults: Fault[] } | undefined {
  for (let i = 0; i < faults.length; i++) {
    const fault = faults[i];
    if (!fault || (fault.operation !== 'any' && fault.operation !== operation) || fault.remaining === 0) continue;
    if (fault.rate < 1 && !(roll() < fault.rate)) continue;
    const used: Fault = { ...fault, applied: fault.applied + 1, remaining: fault.remaining === null ? null : fault.remaining - 1 };
    return { fault: used, faults: faults.map((f, j) => (j === i ? used : f)) };
  }
  return undefined;
}
