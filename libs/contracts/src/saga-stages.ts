/**
 * Where an order's saga is, and what it waits for (SPEC §4, §8): the stage order-service's saga
 * monitor holds against an SLA and `ops saga` shows. Derived from what order-service records of
 * the order (its status, and the payment and fulfilment status the other services' facts gave it),
 * so it needs no table of its own. A terminal order waits for nothing. It lives beside the
 * contracts because it names the events that end each wait, and both order-service and the ops
 * tool read it.
 */
export const SAGA_STAGES = [
  /** PENDING: placed, no payment outcome yet. */
  'AWAITING_AUTHORISATION',
  /** PENDING, authorised: no stock decision yet. */
  'AWAITING_STOCK',
  /** PENDING, authorised and reserved: the capture has not been reported. */
  'AWAITING_CAPTURE',
  /** Stock could not be reserved (C2) or the capture failed (C3): the void has not been reported. */
  'AWAITING_VOID',
  /** CONFIRMED (paid): no shipment yet — the seeds' "paid but no fulfilment after N hours". */
  'AWAITING_SHIPMENT',
  /** The shipment failed after capture (C4): the refund has not been reported. */
  'AWAITING_REFUND',
  /** The payment is in REQUIRES_REVIEW: the saga waits for a person (C5). */
  'PAYMENT_IN_REVIEW',
] as const;
export type SagaStage = (typeof SAGA_STAGES)[number];

export interface Awaiting {
  event: string;
  producer: string;
}

export const AWAITING: Readonly<Record<SagaStage, Awaiting>> = {
  AWAITING_AUTHORISATION: { event: 'PaymentAuthorised or PaymentFailed', producer: 'payment-service' },
  AWAITING_STOCK: { event: 'StockReserved or StockReservationFailed', producer: 'fulfilment-service' },
  AWAITING_CAPTURE: { event: 'PaymentCaptured or PaymentVoided', producer: 'payment-service' },
  AWAITING_VOID: { event: 'PaymentVoided', producer: 'payment-service' },
  AWAITING_SHIPMENT: { event: 'ShipmentDispatched or ShipmentFailed', producer: 'fulfilment-service' },
  AWAITING_REFUND: { event: 'PaymentRefunded', producer: 'payment-service' },
  PAYMENT_IN_REVIEW: { event: 'a resolution of the payment under review (ops review resolve)', producer: 'an operator, through payment-service' },
};

/** The three fields of an order (as order-service stores them) its stage is derived from. */
export interface SagaStageFields {
  /** PENDING, CONFIRMED, COMPLETED or CANCELLED. */
  status: string;
  paymentStatus: string | null;
  fulfilmentStatus: string | null;
}

/** The stage of an order, or null for a terminal one. Pure. */
export function sagaStageOf(order: SagaStageFields): SagaStage | null {
  if (order.status === 'COMPLETED' || order.status === 'CANCELLED') return null;
  if (order.paymentStatus === 'REQUIRES_REVIEW') return 'PAYMENT_IN_REVIEW';
  if (order.status === 'CONFIRMED') return order.fulfilmentStatus === 'SHIPMENT_FAILED' ? 'AWAITING_REFUND' : 'AWAITING_SHIPMENT';
  // PENDING
  if (order.fulfilmentStatus === 'RESERVATION_FAILED') return 'AWAITING_VOID';
  if (order.paymentStatus === null) return 'AWAITING_AUTHORISATION';
  if (order.fulfilmentStatus === null) return 'AWAITING_STOCK';
  return 'AWAITING_CAPTURE';
}
