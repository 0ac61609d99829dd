import type { OperationOutcome, OperationType, Payment } from './payment';

/**
 * What the processor reports about one of our operations (a webhook), reduced to what we check.
 * A report moves an operation only when it is about that operation: its kind of movement, its
 * payment, its amount and currency, and the authorisation it moved on. Anything else changes
 * nothing, however well signed: a signature proves who sent a report, not what it is about.
 */
export interface ProcessorReport {
  operationType: OperationType;
  outcome: OperationOutcome;
  /** Our payment id, which we send as the processor's reference. */
  reference: string;
  amount: number;
  currency: string;
  authorisationId?: string | undefined;
}

export type ReportMismatchReason = 'type-mismatch' | 'reference-mismatch' | 'amount-mismatch' | 'currency-mismatch' | 'authorisation-mismatch';

export interface ReportMismatch {
  reason: ReportMismatchReason;
  detail: string;
}

export function reportMismatch(report: ProcessorReport, operation: { type: OperationType; amount: number }, payment: Payment): ReportMismatch | undefined {
  if (report.operationType !== operation.type) {
    return { reason: 'type-mismatch', detail: `a report of a ${report.operationType} names a ${operation.type} operation` };
  }
  if (report.reference !== payment.id) return { reason: 'reference-mismatch', detail: `reference ${report.reference} is not payment ${payment.id}` };
  if (report.amount !== operation.amount) return { reason: 'amount-mismatch', detail: `amount ${report.amount} is not the operation's ${operation.amount}` };
  if (report.currency !== payment.currency) return { reason: 'currency-mismatch', detail: `currency ${report.currency} is not the payment's ${payment.currency}` };
  if (report.authorisationId !== undefined) {
    // an authorisation's own report names the authorisation it created; every later movement the one it moved on
    const expected = operation.type === 'AUTHORISE' ? (report.outcome.result === 'succeeded' ? report.outcome.objectId : undefined) : payment.authorisationId;
    if (expected !== undefined && report.authorisationId !== expected) {
      return { reason: 'authorisation-mismatch', detail: `authorisation ${report.authorisationId} is not ${expected ?? 'the payment’s (none)'}` };
    }
  }
  return undefined;
}
