/**
 * The daily settlement report: one line per capture (money in, less the fee) and per refund (money
 * out, no fee returned), and the discrepancies a test can inject to exercise reconciliation.
 *
 * Fee (documented in the README): 1.4 % of the captured amount, rounded half up to a whole minor
 * unit, plus 25 minor units, whatever the currency's exponent. A refund carries no fee and the
 * capture's fee is not returned.
 */

export type SettlementLineType = 'capture' | 'refund';

export interface SettlementLine {
  /** The processor's id of the movement: a capture (`cap_…`) or refund (`ref_…`) id. */
  processorReference: string;
  /** Our reference (payment-service's payment id). */
  reference: string;
  authorisationId: string;
  /** Signed minor units: positive for a capture, negative for a refund. */
  gross: number;
  fee: number;
  net: number;
  currency: string;
  type: SettlementLineType;
}

/** A succeeded capture or refund, as the store has it. */
export interface SettledMovement {
  id: string;
  type: SettlementLineType;
  reference: string;
  authorisationId: string;
  /** Positive minor units. */
  amount: number;
  currency: string;
}

export const FEE_PERCENT_TENTHS = 14; // 1.4 % = 14 / 1000
export const FEE_FIXED_MINOR = 25;

/** 1.4 % rounded half up (integer arithmetic: no floating point), plus 25. */
export function captureFee(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`captureFee needs a non-negative integer amount, got ${amount}`);
  return Math.floor((amount * FEE_PERCENT_TENTHS + 500) / 1000) + FEE_FIXED_MINOR;
}

/** The line for a movement of `amount` (positive minor units). */
export function lineFor(movement: SettledMovement): SettlementLine {
  const base = { processorReference: movement.id, reference: movement.reference, authorisationId: movement.authorisationId, currency: movement.currency, type: movement.type };
  if (movement.type === 'capture') {
    const fee = captureFee(movement.amount);
    return { ...base, gross: movement.amount, fee, net: movement.amount - fee };
  }
  return { ...base, gross: -movement.amount, fee: 0, net: -movement.amount };
}

export type Discrepancy =
  | { kind: 'drop'; processorReference: string }
  | { kind: 'amount'; processorReference: string; amount: number }
  | { kind: 'currency'; processorReference: string; currency: string }
  | { kind: 'duplicate'; processorReference: string }
  | { kind: 'unknown'; movement: SettledMovement };

export type DiscrepancyKind = Discrepancy['kind'];

/**
 * The report as the processor would send it after the injected mistakes, applied in the order they
 * were injected. A discrepancy whose line is no longer there (dropped by an earlier one) changes nothing.
 */
export function applyDiscrepancies(lines: readonly SettlementLine[], discrepancies: readonly Discrepancy[]): SettlementLine[] {
  let out = lines.map((l) => ({ ...l }));
  for (const d of discrepancies) {
    switch (d.kind) {
      case 'drop':
        out = out.filter((l) => l.processorReference !== d.processorReference);
        break;
      case 'amount':
        out = out.map((l) => (l.processorReference === d.processorReference ? lineFor({ ...movementOf(l), amount: d.amount }) : l));
        break;
      case 'currency':
        out = out.map((l) => (l.processorReference === d.processorReference ? { ...l, currency: d.currency } : l));
        break;
      case 'duplicate': {
        const i = out.findIndex((l) => l.processorReference === d.processorReference);
        const line = out[i];
        if (line) out.splice(i + 1, 0, { ...line });
        break;
      }
      case 'unknown':
        out.push(lineFor(d.movement));
        break;
    }
  }
  return out;
}

function movementOf(line: SettlementLine): SettledMovement {
  return { id: line.processorReference, type: line.type, reference: line.reference, authorisationId: line.authorisationId, amount: Math.abs(line.gross), currency: line.currency };
}

/** A settlement date: YYYY-MM-DD naming a real calendar day (a UTC day). */
export function isSettlementDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1970 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}
