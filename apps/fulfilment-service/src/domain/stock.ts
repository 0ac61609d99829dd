/**
 * Stock levels and the all-or-nothing reservation rule, as pure functions. The database enforces
 * the same invariant again (`stock_reserved_within_on_hand`), so no interleaving of consumers can
 * oversell even if this code were wrong.
 */

export interface StockLevel {
  sku: string;
  onHand: number;
  reserved: number;
}

/** One line of an order as fulfilment sees it: what leaves the warehouse, not what it costs. */
export interface StockLine {
  sku: string;
  quantity: number;
}

export interface UnavailableLine {
  sku: string;
  requested: number;
  available: number;
}

export const availableOf = (level: StockLevel): number => level.onHand - level.reserved;

/**
 * One line per SKU (an order may name a SKU twice), sorted by SKU: the order in which rows are
 * locked and updated everywhere, so two transactions never wait on each other in a cycle.
 */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

export type ReservationAttempt =
  | { outcome: 'reserved'; items: StockLine[] }
  | { outcome: 'failed'; reason: 'OUT_OF_STOCK' | 'UNKNOWN_SKU'; unavailable: UnavailableLine[] };

/**
 * Reserve every line or none. An unknown SKU is reported as such (it can never be reserved, unlike
 * a line that is merely short); `unavailable` lists every line that cannot be reserved.
 */
export function reserveAllOrNothing(lines: readonly StockLine[], stock: ReadonlyMap<string, StockLevel>): ReservationAttempt {
  const items = mergeLines(lines);
  const unavailable: UnavailableLine[] = [];
  let unknown = false;
  for (const line of items) {
    const level = stock.get(line.sku);
    if (!level) {
      unknown = true;
      unavailable.push({ sku: line.sku, requested: line.quantity, available: 0 });
    } else if (availableOf(level) < line.quantity) {
      unavailable.push({ sku: line.sku, requested: line.quantity, available: Math.max(0, availableOf(level)) });
    }
  }
  if (unavailable.length === 0) return { outcome: 'reserved', items };
  return { outcome: 'failed', reason: unknown ? 'UNKNOWN_SKU' : 'OUT_OF_STOCK', unavailable };
}

export type StockAdjustment = { ok: true; level: StockLevel } | { ok: false; reason: 'below-reserved'; detail: string };

/** An operator sets what is on hand (a count, a delivery); it may never drop below what is promised to orders. */
export function setOnHand(current: StockLevel | undefined, sku: string, onHand: number): StockAdjustment {
  const reserved = current?.reserved ?? 0;
  if (onHand < reserved) {
    return { ok: false, reason: 'below-reserved', detail: `${sku} has ${reserved} reserved; on hand cannot be set to ${onHand}.` };
  }
  return { ok: true, level: { sku, onHand, reserved } };
}
