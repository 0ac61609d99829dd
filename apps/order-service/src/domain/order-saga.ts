import type { OrderCancellationReason } from '@paystate/contracts';
import type { Order, OrderStatus } from './order';

/**
 * The order follows the saga's facts (SPEC §4 step 8, §3.5). Facts from different topics arrive in
 * any order, so the rules accept a fact that implies earlier ones (a dispatched shipment implies a
 * captured payment) and never move an order backwards. Facts from one topic arrive in order (the
 * Kafka key is the order id), which is why a refund can never be seen before its capture.
 */

/** What order-service records of the payment, in the words of payment-service's facts. */
export type OrderPaymentStatus = 'AUTHORISED' | 'FAILED' | 'CAPTURED' | 'VOIDED' | 'REFUNDED' | 'PARTIALLY_REFUNDED' | 'REQUIRES_REVIEW';
/** What order-service records of stock and shipment. */
export type OrderFulfilmentStatus = 'RESERVED' | 'RESERVATION_FAILED' | 'RELEASED' | 'DISPATCHED' | 'SHIPMENT_FAILED';

export interface Shipment {
  id: string;
  carrier: string;
  trackingNumber: string;
}

/** The order as the saga sees it: the placed order plus what the other services reported. */
export interface OrderInSaga extends Order {
  paymentStatus: OrderPaymentStatus | null;
  fulfilmentStatus: OrderFulfilmentStatus | null;
  cancellationReason: OrderCancellationReason | null;
  cancellationDetail: string | null;
  /** true once captured money was given back for a cancelled order. */
  refunded: boolean;
  shipment: Shipment | null;
}

/** The facts of other services that move or annotate an order, reduced to what the order needs. */
export type OrderFact =
  | { type: 'PaymentAuthorised' }
  | { type: 'PaymentFailed'; reason: 'VALIDATION_FAILED' | 'DECLINED'; detail: string }
  | { type: 'PaymentCaptured' }
  | { type: 'PaymentVoided'; reason: 'STOCK_UNAVAILABLE' | 'CAPTURE_FAILED' | 'ORDER_CANCELLED' }
  | { type: 'PaymentRefunded'; reason: 'SHIPMENT_FAILED' | 'OPERATOR'; refundedTotal: number }
  | { type: 'PaymentRequiresReview'; reason: string }
  | { type: 'StockReserved' }
  | { type: 'StockReservationFailed'; detail: string }
  | { type: 'StockReleased' }
  | ({ type: 'ShipmentDispatched' } & { shipment: Shipment })
  | { type: 'ShipmentFailed'; reason: string };

/** The order's own facts a transition produces, in the order they happened. */
export type OrderLifecycleEvent = { type: 'OrderConfirmed' } | { type: 'OrderCompleted' } | { type: 'OrderCancelled' };

export interface OrderFactOutcome {
  order: OrderInSaga;
  /** Status changes, in order (PENDING → COMPLETED through a dispatched shipment is two steps). */
  transitions: { from: OrderStatus; to: OrderStatus }[];
  emit: OrderLifecycleEvent[];
  /** Set when the fact changed nothing because the order has moved past it: logged, never an error. */
  ignored?: string;
}

const TERMINAL: readonly OrderStatus[] = ['COMPLETED', 'CANCELLED'];

/**
 * A capture (or a dispatch, which implies one) moves the payment's status forward from nothing,
 * an authorisation or a review it has left; a refund seen first stays.
 */
const capturedUnlessLater = (status: OrderPaymentStatus | null): OrderPaymentStatus =>
  status === null || status === 'AUTHORISED' || status === 'REQUIRES_REVIEW' ? 'CAPTURED' : status;
export const isTerminal = (status: OrderStatus): boolean => TERMINAL.includes(status);

/** Applies one fact. Pure: the same order and fact always give the same outcome. */
export function applyFact(order: OrderInSaga, fact: OrderFact): OrderFactOutcome {
  const unchanged = (ignored?: string): OrderFactOutcome => ({ order, transitions: [], emit: [], ...(ignored ? { ignored } : {}) });
  const annotate = (patch: Partial<OrderInSaga>): OrderFactOutcome => ({ order: { ...order, ...patch }, transitions: [], emit: [] });

  switch (fact.type) {
    case 'PaymentAuthorised':
      // after REQUIRES_REVIEW too: an outcome unknown at its deadline that turned out authorised takes the payment out of review
      return order.paymentStatus === null || order.paymentStatus === 'REQUIRES_REVIEW' ? annotate({ paymentStatus: 'AUTHORISED' }) : unchanged(`payment already ${order.paymentStatus}`);

    case 'PaymentFailed':
      return cancel(order, { paymentStatus: 'FAILED' }, fact.reason === 'DECLINED' ? 'PAYMENT_DECLINED' : 'PAYMENT_INVALID', fact.detail, false);

    case 'PaymentCaptured': {
      const paymentStatus = capturedUnlessLater(order.paymentStatus);
      if (order.status !== 'PENDING') return annotate({ paymentStatus });
      return { order: { ...order, paymentStatus, status: 'CONFIRMED' }, transitions: [{ from: 'PENDING', to: 'CONFIRMED' }], emit: [{ type: 'OrderConfirmed' }] };
    }

    case 'PaymentVoided': {
      const reason: OrderCancellationReason = fact.reason === 'CAPTURE_FAILED' ? 'CAPTURE_FAILED' : 'OUT_OF_STOCK';
      const detail =
        fact.reason === 'CAPTURE_FAILED'
          ? 'The payment could not be captured; the authorisation was released and nothing was charged.'
          : (order.cancellationDetail ?? 'Not every item could be reserved; the authorisation was released and nothing was charged.');
      return cancel(order, { paymentStatus: 'VOIDED' }, reason, detail, false);
    }

    case 'PaymentRefunded': {
      const paymentStatus: OrderPaymentStatus = fact.refundedTotal >= order.total ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      if (fact.reason === 'OPERATOR') {
        // an operator's refund is a payment matter: the order keeps its status, its payment shows the refund
        return annotate({ paymentStatus });
      }
      return cancel(order, { paymentStatus }, 'SHIPMENT_FAILED', 'The carrier could not ship the order; the payment was refunded.', true);
    }

    case 'PaymentRequiresReview':
      // the order stays where it is, visibly stuck, until a person resolves the payment (C5)
      return annotate({ paymentStatus: 'REQUIRES_REVIEW' });

    case 'StockReserved':
      return order.fulfilmentStatus === null ? annotate({ fulfilmentStatus: 'RESERVED' }) : unchanged(`fulfilment already ${order.fulfilmentStatus}`);

    case 'StockReservationFailed':
      if (order.status !== 'PENDING') return unchanged(`order already ${order.status}`);
      // the cancellation itself waits for the void (C2): until then the customer's funds are still held
      return annotate({ fulfilmentStatus: 'RESERVATION_FAILED', cancellationDetail: fact.detail });

    case 'StockReleased':
      return order.fulfilmentStatus === 'DISPATCHED' ? unchanged('shipment already dispatched') : annotate({ fulfilmentStatus: 'RELEASED' });

    case 'ShipmentDispatched': {
      if (order.status === 'COMPLETED' || order.status === 'CANCELLED') return unchanged(`order already ${order.status}`);
      // a dispatch happens only after a capture: it implies one the order may not have seen yet
      const paymentStatus = capturedUnlessLater(order.paymentStatus);
      const next: OrderInSaga = { ...order, paymentStatus, fulfilmentStatus: 'DISPATCHED', shipment: fact.shipment, status: 'COMPLETED' };
      if (order.status === 'PENDING') {
        return { order: next, transitions: [{ from: 'PENDING', to: 'CONFIRMED' }, { from: 'CONFIRMED', to: 'COMPLETED' }], emit: [{ type: 'OrderConfirmed' }, { type: 'OrderCompleted' }] };
      }
      return { order: next, transitions: [{ from: 'CONFIRMED', to: 'COMPLETED' }], emit: [{ type: 'OrderCompleted' }] };
    }

    case 'ShipmentFailed':
      if (isTerminal(order.status)) return unchanged(`order already ${order.status}`);
      // the cancellation waits for the refund (C4)
      return annotate({ fulfilmentStatus: 'SHIPMENT_FAILED', cancellationDetail: fact.reason });

    default:
      return assertNever(fact);
  }
}

function cancel(
  order: OrderInSaga,
  patch: Partial<OrderInSaga>,
  reason: OrderCancellationReason,
  detail: string,
  refunded: boolean,
): OrderFactOutcome {
  if (isTerminal(order.status)) {
    return { order: { ...order, ...patch }, transitions: [], emit: [], ignored: `order already ${order.status}` };
  }
  return {
    order: { ...order, ...patch, status: 'CANCELLED', cancellationReason: reason, cancellationDetail: detail, refunded },
    transitions: [{ from: order.status, to: 'CANCELLED' }],
    emit: [{ type: 'OrderCancelled' }],
  };
}

function assertNever(value: never): never {
  throw new Error(`unhandled order fact ${JSON.stringify(value)}`);
}
