import type { StockLine } from './stock';

/**
 * The simulated carrier, a pure decision so that every outcome can be produced on purpose:
 * - a line whose SKU starts with `UNSHIPPABLE-` is always refused (a test SKU: stock it like any
 *   other, and its order reserves fine but can never ship, which drives C4);
 * - an operator-injected fault: the next `failNext` hand-overs fail, and each later one fails with
 *   probability `failRate` (`roll` is a uniform number in [0, 1) supplied by the caller).
 * A SKU refusal does not use up an injected fault: `failNext` counts parcels that would have gone.
 */
export const CARRIER_NAME = 'paystate-post';
export const UNSHIPPABLE_PREFIX = 'UNSHIPPABLE-';

export interface CarrierFaults {
  failNext: number;
  failRate: number;
}

export const NO_CARRIER_FAULTS: CarrierFaults = { failNext: 0, failRate: 0 };

export type CarrierOutcome =
  | { outcome: 'dispatched'; carrier: string; faults: CarrierFaults }
  | { outcome: 'failed'; carrier: string; reason: string; faults: CarrierFaults };

export function handToCarrier(items: readonly StockLine[], faults: CarrierFaults, roll: number): CarrierOutcome {
  const refused = items.filter((line) => line.sku.startsWith(UNSHIPPABLE_PREFIX)).map((line) => line.sku);
  if (refused.length > 0) {
    return { outcome: 'failed', carrier: CARRIER_NAME, reason: `carrier refused unshippable item(s): ${refused.join(', ')}`, faults };
  }
  if (faults.failNext > 0) {
    return { outcome: 'failed', carrier: CARRIER_NAME, reason: 'carrier unavailable (injected fault)', faults: { ...faults, failNext: faults.failNext - 1 } };
  }
  if (roll < faults.failRate) {
    return { outcome: 'failed', carrier: CARRIER_NAME, reason: `carrier rejected the parcel (injected failure rate ${faults.failRate})`, faults };
  }
  return { outcome: 'dispatched', carrier: CARRIER_NAME, faults };
}
