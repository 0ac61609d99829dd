import {
  EventContract,
  PayloadOf,
  PaymentAuthorisedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentRequiresReviewV1,
  PaymentVoidedV1,
} from '@paystate/contracts';
import type { Payment, PaymentFact } from '../domain/payment';

/** The contracts payment-service emits. */
type PaymentContract =
  | typeof PaymentAuthorisedV1
  | typeof PaymentFailedV1
  | typeof PaymentCapturedV1
  | typeof PaymentVoidedV1
  | typeof PaymentRefundedV1
  | typeof PaymentRequiresReviewV1;

/** A contract with its own payload; over a union, one such pair per contract. */
type ContractEvent<C> = C extends EventContract ? { contract: C; payload: PayloadOf<C> } : never;

/** One event to write. A union over the contracts, not `EventContract`, so the canvas check can tell which events these are. */
export type PendingEvent = ContractEvent<PaymentContract>;

const event = <C extends PaymentContract>(contract: C, payload: PayloadOf<C>): { contract: C; payload: PayloadOf<C> } => ({ contract, payload });

/** The contract events for the facts a decision produced, with the payment as it is after the decision. */
export function eventsFor(payment: Payment, facts: readonly PaymentFact[], now: Date, operationId?: string): PendingEvent[] {
  const ref = { paymentId: payment.id, orderId: payment.orderId };
  const at = now.toISOString();
  return facts.map((fact): PendingEvent => {
    switch (fact.kind) {
      case 'authorised':
        return event(PaymentAuthorisedV1, { ...ref, amount: payment.amount, currency: payment.currency, authorisationId: fact.authorisationId, authorisedAt: at });
      case 'failed':
        return event(PaymentFailedV1, { ...ref, reason: fact.reason, ...(fact.code ? { code: fact.code } : {}), detail: fact.detail, failedAt: at });
      case 'captured':
        return event(PaymentCapturedV1, { ...ref, amount: payment.amount, currency: payment.currency, captureId: fact.captureId, capturedAt: at });
      case 'voided':
        return event(PaymentVoidedV1, { ...ref, amount: payment.amount, currency: payment.currency, reason: fact.reason, voidedAt: at });
      case 'refunded':
        return event(PaymentRefundedV1, { ...ref, refundId: fact.refundId, amount: fact.amount, refundedTotal: fact.refundedTotal, currency: payment.currency, reason: fact.reason, refundedAt: at });
      case 'requires-review':
        return event(PaymentRequiresReviewV1, {
          ...ref,
          reason: fact.reason,
          ...(operationId ? { operationId } : {}),
          ...(fact.operationType ? { operationType: fact.operationType } : {}),
          at,
        });
    }
  });
}
