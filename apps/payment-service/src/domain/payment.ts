/**
 * The payment state machine of SPEC §4, as pure functions: the state comes in, a decision comes out
 * (the next state, the events to emit, the operation to start). Nothing here reads a clock, makes
 * an id or touches I/O; the application layer persists decisions with guarded updates.
 */

export type PaymentStatus =
  | 'INITIATED'
  | 'VALIDATED'
  | 'AUTHORISED'
  | 'CAPTURED'
  | 'SETTLED'
  | 'RECONCILED'
  | 'FAILED'
  | 'VOIDED'
  | 'REFUNDED'
  | 'PARTIALLY_REFUNDED'
  | 'REQUIRES_REVIEW';

export type OperationType = 'AUTHORISE' | 'CAPTURE' | 'VOID' | 'REFUND';
export type OperationStatus = 'PENDING' | 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED' | 'UNKNOWN';
export type OperationOrigin = 'processor-call' | 'operator-record';
export type VoidReason = 'STOCK_UNAVAILABLE' | 'CAPTURE_FAILED' | 'ORDER_CANCELLED';
export type RefundReason = 'SHIPMENT_FAILED' | 'OPERATOR';
export type OperationReason = VoidReason | RefundReason | 'ORDER_PLACED' | 'STOCK_RESERVED';

/** Which status may follow which. Everything else is illegal, here and in the database's guarded update. */
export const TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  INITIATED: ['VALIDATED', 'FAILED'],
  VALIDATED: ['AUTHORISED', 'FAILED', 'REQUIRES_REVIEW'],
  AUTHORISED: ['CAPTURED', 'VOIDED', 'REQUIRES_REVIEW'],
  CAPTURED: ['SETTLED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW'],
  SETTLED: ['RECONCILED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW'],
  RECONCILED: ['REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW'],
  // a second partial refund moves the amount again: a same-status transition, with its own version and log row
  PARTIALLY_REFUNDED: ['REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW'],
  // a payment under review still records what the processor moves (REQUIRES_REVIEW → REQUIRES_REVIEW), and
  // leaves review to wherever the outcome of the operation under review takes it
  REQUIRES_REVIEW: ['REQUIRES_REVIEW', 'AUTHORISED', 'CAPTURED', 'FAILED', 'VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED'],
  FAILED: [],
  VOIDED: [],
  REFUNDED: [],
};

export const canTransition = (from: PaymentStatus, to: PaymentStatus): boolean => TRANSITIONS[from].includes(to);

export interface Payment {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  paymentMethod: string;
  authorisationId: string | null;
  captureId: string | null;
  refundedAmount: number;
  version: number;
  /** Set exactly while REQUIRES_REVIEW. */
  review: Review | null;
}

/**
 * Why a payment is under review: the state it is in underneath (what the processor has moved so
 * far), and the operation whose outcome a person must settle (none when no operation caused it).
 */
export interface Review {
  from: PaymentStatus;
  operationId: string | null;
}

export interface OperationIntent {
  type: OperationType;
  amount: number;
  reason: OperationReason;
  /** Set when the decision refers to the operation it starts (a review that now waits for it). */
  id?: string;
  /** Set when a person records an operation from the processor's own records instead of it being sent. */
  origin?: OperationOrigin;
}

/** The facts a payment state change produces; the application maps them to contract events. */
export type PaymentFact =
  | { kind: 'authorised'; authorisationId: string }
  | { kind: 'failed'; reason: 'VALIDATION_FAILED' | 'DECLINED'; code?: string; detail: string }
  | { kind: 'captured'; captureId: string }
  | { kind: 'voided'; reason: VoidReason }
  | { kind: 'refunded'; refundId: string; amount: number; refundedTotal: number; reason: RefundReason }
  | { kind: 'requires-review'; reason: string; operationType?: OperationType };

export interface Decision {
  /** The new status, or undefined when the status does not change. */
  status?: PaymentStatus;
  /** Columns that change with it. */
  changes?: Partial<Pick<Payment, 'authorisationId' | 'captureId' | 'refundedAmount' | 'review'>>;
  facts: PaymentFact[];
  /** An operation to persist (PENDING) in the same transaction. */
  operation?: OperationIntent;
}

/** Why a command is refused: the edge maps each code to its own answer (HTTP problem type, log line). */
export type RejectionCode = 'invalid-state' | 'invalid-amount' | 'exceeds-refundable' | 'not-in-review' | 'outcome-known' | 'already-recorded';
export type Rejection = { rejected: true; code: RejectionCode; reason: string };
export const isRejection = <T extends object>(d: T | Rejection): d is Rejection => 'rejected' in d;
const reject = (reason: string, code: RejectionCode = 'invalid-state'): Rejection => ({ rejected: true, code, reason });
const nothing: Decision = { facts: [] };

/** The order the payment is for, as far as validation is concerned. */
export interface PaymentRequest {
  orderId: string;
  total: number;
  currency: string;
  paymentMethod: string;
}

export function initiatePayment(request: PaymentRequest, paymentId: string): Payment {
  return {
    id: paymentId,
    orderId: request.orderId,
    status: 'INITIATED',
    amount: request.total,
    currency: request.currency,
    paymentMethod: request.paymentMethod,
    authorisationId: null,
    captureId: null,
    refundedAmount: 0,
    version: 1,
    review: null,
  };
}

/** INITIATED → VALIDATED and an AUTHORISE operation, or FAILED (C1: validation). */
export function validatePayment(payment: Payment): Decision | Rejection {
  if (payment.status !== 'INITIATED') return reject(`cannot validate a ${payment.status} payment`);
  const problems: string[] = [];
  if (!Number.isSafeInteger(payment.amount) || payment.amount <= 0) problems.push('amount must be a positive integer');
  if (!/^[A-Z]{3}$/.test(payment.currency)) problems.push('currency must be an ISO 4217 code');
  if (!payment.paymentMethod.startsWith('tok_')) problems.push('payment method must be a processor token');
  if (problems.length > 0) {
    return { status: 'FAILED', facts: [{ kind: 'failed', reason: 'VALIDATION_FAILED', detail: problems.join('; ') }] };
  }
  return { status: 'VALIDATED', facts: [], operation: { type: 'AUTHORISE', amount: payment.amount, reason: 'ORDER_PLACED' } };
}

/** Stock is reserved: capture what was authorised. */
export function requestCapture(payment: Payment): Decision | Rejection {
  if (payment.status !== 'AUTHORISED') return reject(`cannot capture a ${payment.status} payment`);
  return { facts: [], operation: { type: 'CAPTURE', amount: payment.amount, reason: 'STOCK_RESERVED' } };
}

/** Release an authorisation without charging (C2 out of stock, C3 capture failed, order cancelled). */
export function requestVoid(payment: Payment, reason: VoidReason): Decision | Rejection {
  if (payment.status !== 'AUTHORISED') {
    return reject(payment.status === 'CAPTURED' ? 'cannot void a CAPTURED payment: refund it' : `cannot void a ${payment.status} payment`);
  }
  return { facts: [], operation: { type: 'VOID', amount: payment.amount, reason } };
}

const REFUNDABLE: readonly PaymentStatus[] = ['CAPTURED', 'SETTLED', 'RECONCILED', 'PARTIALLY_REFUNDED'];

/**
 * What may still be refunded: what was captured (always the whole amount: partial captures do not
 * exist), less what is refunded, less the refunds still in flight at the processor. Counting the
 * ones in flight is what keeps two refunds started close together from refunding more than was
 * captured.
 */
export function refundableRemainder(payment: Payment, inFlightRefunds: number): number {
  return payment.amount - payment.refundedAmount - inFlightRefunds;
}

/** Give captured money back (C4 shipment failed, or an operator); `inFlightRefunds` is the sum of refunds not settled yet. */
export function requestRefund(payment: Payment, amount: number, reason: RefundReason, inFlightRefunds = 0): Decision | Rejection {
  if (!REFUNDABLE.includes(payment.status)) {
    return reject(payment.status === 'AUTHORISED' ? 'cannot refund an AUTHORISED payment: void it' : `cannot refund a ${payment.status} payment`);
  }
  if (!Number.isSafeInteger(amount) || amount <= 0) return reject('refund amount must be a positive integer', 'invalid-amount');
  const remainder = refundableRemainder(payment, inFlightRefunds);
  if (amount > remainder) {
    const inFlight = inFlightRefunds > 0 ? `, with ${inFlightRefunds} in flight` : '';
    return reject(`refund of ${amount} exceeds what is left to refund (${Math.max(0, remainder)} of ${payment.amount} captured, ${payment.refundedAmount} refunded${inFlight})`, 'exceeds-refundable');
  }
  return { facts: [], operation: { type: 'REFUND', amount, reason } };
}

/** What the processor said about an operation, once known. */
export type OperationOutcome =
  | { result: 'succeeded'; objectId: string }
  | { result: 'failed'; code: string; detail: string };

export interface SettledOperation {
  id: string;
  type: OperationType;
  amount: number;
  reason: OperationReason;
}

/**
 * An operation reached SUCCEEDED or FAILED: the only way a payment moves after validation.
 * Outcomes that arrive after the payment has moved past them (a webhook after our own call, a
 * late duplicate) change nothing: states only move forward. A payment under review is decided on
 * the state underneath it: what the processor moves is recorded all the same, and the outcome of
 * the operation under review takes the payment out of review.
 */
export function applyOutcome(payment: Payment, operation: SettledOperation, outcome: OperationOutcome): Decision {
  if (payment.status !== 'REQUIRES_REVIEW') return outcomeFor(payment, operation, outcome);
  const review = payment.review ?? { from: 'REQUIRES_REVIEW', operationId: null };
  const decision = outcomeFor({ ...payment, status: review.from, review: null }, operation, outcome);
  if (decision.status === 'REQUIRES_REVIEW') {
    // failed again: still under review, now for the latest operation that needs a person
    return decision;
  }
  if (operation.id === review.operationId) {
    // the outcome a person was waiting for: out of review, to wherever it leads (or back where it was, with a follow-up operation)
    if (!decision.status && !decision.operation) return decision;
    return { ...decision, status: decision.status ?? review.from, changes: { ...decision.changes, review: null } };
  }
  // another operation's outcome: record the money it moved, stay under review
  if (!decision.status) return decision;
  return { ...decision, status: 'REQUIRES_REVIEW', changes: { ...decision.changes, review: { from: decision.status, operationId: review.operationId } } };
}

function outcomeFor(payment: Payment, operation: SettledOperation, outcome: OperationOutcome): Decision {
  switch (operation.type) {
    case 'AUTHORISE':
      if (payment.status !== 'VALIDATED') return nothing;
      return outcome.result === 'succeeded'
        ? { status: 'AUTHORISED', changes: { authorisationId: outcome.objectId }, facts: [{ kind: 'authorised', authorisationId: outcome.objectId }] }
        : { status: 'FAILED', facts: [{ kind: 'failed', reason: 'DECLINED', code: outcome.code, detail: outcome.detail }] };
    case 'CAPTURE':
      if (payment.status !== 'AUTHORISED') return nothing;
      return outcome.result === 'succeeded'
        ? { status: 'CAPTURED', changes: { captureId: outcome.objectId }, facts: [{ kind: 'captured', captureId: outcome.objectId }] }
        : // C3: the capture failed, so the authorisation must be released
          { facts: [], operation: { type: 'VOID', amount: payment.amount, reason: 'CAPTURE_FAILED' } };
    case 'VOID':
      if (payment.status !== 'AUTHORISED') return nothing;
      return outcome.result === 'succeeded'
        ? { status: 'VOIDED', facts: [{ kind: 'voided', reason: operation.reason as VoidReason }] }
        : reviewDecision(payment, `VOID failed at the processor: ${outcome.code}`, operation);
    case 'REFUND': {
      if (!REFUNDABLE.includes(payment.status)) return nothing;
      if (outcome.result === 'failed') return reviewDecision(payment, `REFUND failed at the processor: ${outcome.code}`, operation);
      const refundedTotal = payment.refundedAmount + operation.amount;
      if (refundedTotal > payment.amount) {
        // cannot happen while refunds are checked against the remainder before they start; if it does, a person must look
        return reviewDecision(payment, `the processor refunded ${refundedTotal} in all, more than the ${payment.amount} captured`, operation);
      }
      return {
        status: refundedTotal === payment.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
        changes: { refundedAmount: refundedTotal },
        facts: [{ kind: 'refunded', refundId: outcome.objectId, amount: operation.amount, refundedTotal, reason: operation.reason as RefundReason }],
      };
    }
  }
}

/**
 * C5 and unresolved outcomes: never a silent loss, a person must look. Under review already, the
 * payment stays there, now waiting for the latest operation that needs a person (the one a retry
 * or a record acts on), and the alert fires again.
 */
export function reviewDecision(payment: Payment, reason: string, operation?: { id: string; type: OperationType }): Decision {
  const review: Review =
    payment.status === 'REQUIRES_REVIEW' && payment.review
      ? { from: payment.review.from, operationId: operation?.id ?? payment.review.operationId }
      : { from: payment.status, operationId: operation?.id ?? null };
  return { status: 'REQUIRES_REVIEW', changes: { review }, facts: [{ kind: 'requires-review', reason, ...(operation ? { operationType: operation.type } : {}) }] };
}

/** An operation whose outcome stayed unknown past its deadline. */
export function operationUnresolved(payment: Payment, operation: { id: string; type: OperationType }): Decision {
  if (TRANSITIONS[payment.status].includes('REQUIRES_REVIEW')) {
    return reviewDecision(payment, `${operation.type} outcome still unknown at its deadline`, operation);
  }
  return nothing;
}

/** What a person may do about a payment under review: settle its operation's outcome, found at the processor. */
export type ReviewResolution =
  /** Ask the processor again: an outcome still unknown, with the same key; a failure, as a new operation. */
  | { action: 'retry' }
  /** Record what the processor shows for the operation under review (its dashboard, its support). */
  | { action: 'record-outcome'; outcome: OperationOutcome };

/** The operation under review, as the resolution needs it. */
export interface ReviewedOperation extends SettledOperation {
  status: OperationStatus;
}

/**
 * What a resolution does to the operation under review: `rearm` asks the processor again with the
 * same key; `replace` starts a new operation of the same kind (the review now waits for it) and,
 * with an outcome, records that outcome for it; `record` settles the operation itself.
 */
export type ResolutionPlan =
  | { kind: 'rearm' }
  | { kind: 'replace'; decision: Decision; outcome?: OperationOutcome }
  | { kind: 'record'; outcome: OperationOutcome };

export function resolveReview(
  payment: Payment,
  operation: ReviewedOperation | undefined,
  resolution: ReviewResolution,
  ids: { replacementId: string; inFlightRefunds: number },
): ResolutionPlan | Rejection {
  if (payment.status !== 'REQUIRES_REVIEW' || !payment.review) return reject(`payment is ${payment.status}, not under review`, 'not-in-review');
  if (!operation || operation.id !== payment.review.operationId) return reject('no operation is under review: nothing to retry or record; look at the payment and its transitions', 'not-in-review');
  const unknown = operation.status !== 'SUCCEEDED' && operation.status !== 'FAILED';
  if (operation.status === 'SUCCEEDED') return reject(`the ${operation.type} under review already succeeded`, 'outcome-known');
  if (unknown) return resolution.action === 'retry' ? { kind: 'rearm' } : { kind: 'record', outcome: resolution.outcome };
  if (resolution.action === 'record-outcome' && resolution.outcome.result === 'failed') {
    return reject(`the ${operation.type} under review already failed: retry it, or record the success found at the processor`, 'outcome-known');
  }
  if (operation.type === 'REFUND') {
    const remainder = refundableRemainder(payment, ids.inFlightRefunds);
    if (operation.amount > remainder) return reject(`a refund of ${operation.amount} again exceeds what is left to refund (${Math.max(0, remainder)})`, 'exceeds-refundable');
  }
  // a retry of a failure is a new operation with a new key; a success found at the processor (a person did it
  // there) is one of ours too, recorded with its outcome at once
  if (resolution.action === 'retry') return { kind: 'replace', decision: replacement(payment, operation, ids.replacementId, 'processor-call') };
  return { kind: 'replace', decision: replacement(payment, operation, ids.replacementId, 'operator-record'), outcome: resolution.outcome };
}

function replacement(payment: Payment, operation: ReviewedOperation, replacementId: string, origin: OperationOrigin): Decision {
  const review = payment.review!;
  return {
    status: 'REQUIRES_REVIEW',
    changes: { review: { from: review.from, operationId: replacementId } },
    facts: [],
    operation: { type: operation.type, amount: operation.amount, reason: operation.reason, id: replacementId, origin },
  };
}
