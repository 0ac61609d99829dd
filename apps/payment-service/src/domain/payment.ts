/** SPEC §4 payment states; this slice creates payments, the payments-core issue moves them on. */
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

export interface Payment {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  paymentMethod: string;
  createdAt: Date;
}

/** The fact that starts a payment: an order was placed (the OrderPlaced payload, narrowed to what matters). */
export interface OrderPlacedFact {
  orderId: string;
  total: number;
  currency: string;
  paymentMethod: string;
}

/** An order was placed: its payment starts INITIATED for the order's total, in the order's currency. */
export function initiatePayment(fact: OrderPlacedFact, ctx: { paymentId: string; now: Date }): Payment {
  return {
    id: ctx.paymentId,
    orderId: fact.orderId,
    status: 'INITIATED',
    amount: fact.total,
    currency: fact.currency,
    paymentMethod: fact.paymentMethod,
    createdAt: ctx.now,
  };
}
