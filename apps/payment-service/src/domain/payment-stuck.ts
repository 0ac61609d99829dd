/**
 * Where a payment can be stuck (SPEC §7 C5, F1; §8): in REQUIRES_REVIEW, waiting for a person, or
 * with a processor operation whose outcome stays unknown (UNKNOWN or IN_FLIGHT) — the resolver
 * retries it until its deadline, and the monitor says so well before. Pure.
 */
export const PAYMENT_STUCK_STAGES = ['REQUIRES_REVIEW', 'OPERATION_UNKNOWN'] as const;
export type PaymentStuckStage = (typeof PAYMENT_STUCK_STAGES)[number];

export interface PaymentStuckSlas {
  review: number;
  unknown: number;
}

export const slaOfPaymentStage = (stage: PaymentStuckStage, slas: PaymentStuckSlas): number => (stage === 'REQUIRES_REVIEW' ? slas.review : slas.unknown);

/** What a stuck payment waits for, and who gives it. */
export function paymentAwaiting(stage: PaymentStuckStage, operationType: string | null): { event: string; producer: string } {
  if (stage === 'REQUIRES_REVIEW') return { event: 'a resolution of the review (POST /payments/:id/resolutions; ops review resolve)', producer: 'an operator, through payment-service' };
  return { event: `the outcome of the ${operationType ?? 'processor'} operation`, producer: 'the processor (payment-service’s resolver retries it)' };
}
