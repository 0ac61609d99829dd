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
  PARTIALLY_REFUNDED: ['REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW'],
  REQUIRES_REVIEW: [],
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
}

export interface OperationIntent {
  type: OperationType;
  amount: number;
  reason: OperationReason;
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
  changes?: Partial<Pick<Payment, 'authorisationId' | 'captureId' | 'refundedAmount'>>;
  facts: PaymentFact[];
  /** An operation to persist (PENDING) in the same transaction. */
  operation?: OperationIntent;
}

export type Rejection = { rejected: true; reason: string };
export const isRejection = (d: Decision | Rejection): d is Rejection => 'rejected' in d;
const reject = (reason: string): Rejection => ({ rejected: true, reason });
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

/** Give captured money back (C4 shipment failed, or an operator). */
export function requestRefund(payment: Payment, amount: number, reason: RefundReason): Decision | Rejection {
  const refundable: PaymentStatus[] = ['CAPTURED', 'SETTLED', 'RECONCILED', 'PARTIALLY_REFUNDED'];
  if (!refundable.includes(payment.status)) {
    return reject(payment.status === 'AUTHORISED' ? 'cannot refund an AUTHORISED payment: void it' : `cannot refund a ${payment.status} payment`);
  }
  if (!Number.isSafeInteger(amount) || amount <= 0) return reject('refund amount must be a positive integer');
  if (payment.refundedAmount + amount > payment.amount) {
    return reject(`refund of ${amount} exceeds what is left to refund (${payment.amount - payment.refundedAmount})`);
  }
  return { facts: [], operation: { type: 'REFUND', amount, reason } };
}

/** What the processor said about an operation, once known. */
export type OperationOutcome =
  | { result: 'succeeded'; objectId: string }
  | { result: 'failed'; code: string; detail: string };

export interface SettledOperation {
  type: OperationType;
  amount: number;
  reason: OperationReason;
}

/**
 * An operation reached SUCCEEDED or FAILED: the only way a payment moves after validation.
 * Outcomes that arrive after the payment has moved past them (a webhook after our own call, a
 * late duplicate) change nothing: states only move forward.
 */
export function applyOutcome(payment: Payment, operation: SettledOperation, outcome: OperationOutcome): Decision {
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
        : reviewDecision(`VOID failed at the processor: ${outcome.code}`, 'VOID');
    case 'REFUND': {
      const refundable: PaymentStatus[] = ['CAPTURED', 'SETTLED', 'RECONCILED', 'PARTIALLY_REFUNDED'];
      if (!refundable.includes(payment.status)) return nothing;
      if (outcome.result === 'failed') return reviewDecision(`REFUND failed at the processor: ${outcome.code}`, 'REFUND');
      const refundedTotal = payment.refundedAmount + operation.amount;
      return {
        status: refundedTotal >= payment.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
        changes: { refundedAmount: refundedTotal },
        facts: [{ kind: 'refunded', refundId: outcome.objectId, amount: operation.amount, refundedTotal, reason: operation.reason as RefundReason }],
      };
    }
  }
}

/** C5 and unresolved outcomes: never a silent loss, a person must look. */
export function reviewDecision(reason: string, operationType?: OperationType): Decision {
  return { status: 'REQUIRES_REVIEW', facts: [{ kind: 'requires-review', reason, ...(operationType ? { operationType } : {}) }] };
}

/** An operation whose outcome stayed unknown past its deadline. */
export function operationUnresolved(payment: Payment, operationType: OperationType): Decision {
  if (TRANSITIONS[payment.status].includes('REQUIRES_REVIEW')) {
    return reviewDecision(`${operationType} outcome still unknown at its deadline`, operationType);
  }
  return nothing;
}
