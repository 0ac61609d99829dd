import type { StockLine } from './stock';

/**
 * What fulfilment knows about one order, and how each consumed fact moves it (SPEC §4 steps 3 and
 * 6, C2–C4). Facts from order.events and payment.events arrive in any relative order (SPEC §3.5),
 * so a PaymentAuthorised seen before its OrderPlaced is parked and acted on when the order arrives.
 * Pure: the application layer loads the state, asks, and persists the answer with guarded updates.
 */

export type ReservationStatus = 'HELD' | 'CONSUMED' | 'RELEASED' | 'FAILED';
export type ShipmentStatus = 'DISPATCHED' | 'FAILED';
export type ReleaseReason = 'PAYMENT_VOIDED' | 'PAYMENT_REFUNDED' | 'ORDER_CANCELLED';

/** HELD is the only live state; a reservation that failed is recorded FAILED and never moves. */
export const RESERVATION_TRANSITIONS: Readonly<Record<ReservationStatus, readonly ReservationStatus[]>> = {
  HELD: ['CONSUMED', 'RELEASED'],
  CONSUMED: [],
  RELEASED: [],
  FAILED: [],
};

export const canTransitionReservation = (from: ReservationStatus, to: ReservationStatus): boolean => RESERVATION_TRANSITIONS[from].includes(to);

export interface Reservation {
  id: string;
  status: ReservationStatus;
  items: StockLine[];
}

export interface Shipment {
  id: string;
  status: ShipmentStatus;
}

/** The payment as fulfilment tracks it before anything is reserved: parked until the order is known. */
export type PaymentStanding = 'NONE' | 'AUTHORISED' | 'WITHDRAWN';

export interface OrderFulfilment {
  orderId: string;
  /** From OrderPlaced; null while only payment facts have been seen. */
  order: { lines: StockLine[]; currency: string; total: number } | null;
  payment: PaymentStanding;
  cancelled: boolean;
  reservation: Reservation | null;
  shipment: Shipment | null;
}

export const unknownOrder = (orderId: string): OrderFulfilment => ({ orderId, order: null, payment: 'NONE', cancelled: false, reservation: null, shipment: null });

/** A fact that no longer applies: logged, never an error (late duplicates, already released…). */
export type Ignore = { kind: 'ignore'; reason: string };
const ignore = (reason: string): Ignore => ({ kind: 'ignore', reason });

export type OrderPlacedDecision = { kind: 'remember'; reserveNow: boolean } | Ignore;

export function onOrderPlaced(state: OrderFulfilment): OrderPlacedDecision {
  if (state.order) return ignore('the order is already known');
  // a parked authorisation is acted on now that the lines are known
  return { kind: 'remember', reserveNow: state.payment === 'AUTHORISED' && !state.cancelled && state.reservation === null };
}

export type PaymentAuthorisedDecision = { kind: 'reserve' } | { kind: 'park' } | Ignore;

export function onPaymentAuthorised(state: OrderFulfilment): PaymentAuthorisedDecision {
  if (state.reservation) return ignore(`a reservation already exists (${state.reservation.status})`);
  if (state.cancelled) return ignore('the order is cancelled');
  if (state.payment !== 'NONE') return ignore(`the payment is already ${state.payment}`);
  if (!state.order) return { kind: 'park' };
  return { kind: 'reserve' };
}

export type PaymentCapturedDecision = { kind: 'dispatch'; reservation: Reservation } | Ignore | { kind: 'invariant-broken'; reason: string };

export function onPaymentCaptured(state: OrderFulfilment): PaymentCapturedDecision {
  if (state.shipment) return ignore(`a shipment was already handed to the carrier (${state.shipment.status})`);
  if (state.reservation?.status === 'HELD') return { kind: 'dispatch', reservation: state.reservation };
  // capture follows StockReserved only: money taken without stock held is a saga bug, not a retryable fault
  return { kind: 'invariant-broken', reason: state.reservation ? `payment captured but the reservation is ${state.reservation.status}` : 'payment captured but no reservation exists' };
}

export type ReleaseDecision =
  | { kind: 'release'; reservation: Reservation; reason: ReleaseReason }
  /** Nothing is reserved yet: remember the fact so a later OrderPlaced / PaymentAuthorised reserves nothing. */
  | { kind: 'withdraw-payment' }
  | { kind: 'mark-cancelled' }
  | Ignore;

/**
 * PaymentVoided (C2, C3), PaymentRefunded (C4) and OrderCancelled give a held reservation back.
 * After a dispatch the stock has left (CONSUMED): nothing to release.
 */
export function onReleaseFact(state: OrderFulfilment, reason: ReleaseReason): ReleaseDecision {
  const reservation = state.reservation;
  if (reservation?.status === 'HELD') return { kind: 'release', reservation, reason };
  if (reservation) {
    return ignore(reservation.status === 'CONSUMED' ? 'the stock was dispatched; nothing to release' : `nothing held (reservation ${reservation.status})`);
  }
  switch (reason) {
    case 'ORDER_CANCELLED':
      return state.cancelled ? ignore('the order is already cancelled') : { kind: 'mark-cancelled' };
    case 'PAYMENT_VOIDED':
    case 'PAYMENT_REFUNDED':
      return state.payment === 'AUTHORISED' ? { kind: 'withdraw-payment' } : ignore('nothing reserved for the order');
  }
}
