import { deciderSpec } from '@paystate/testing/decider-spec';
import {
  OrderFulfilment,
  OrderPlacedDecision,
  PaymentAuthorisedDecision,
  PaymentCapturedDecision,
  ReleaseDecision,
  ReleaseReason,
  RESERVATION_TRANSITIONS,
  Reservation,
  ReservationStatus,
  canTransitionReservation,
  onOrderPlaced,
  onPaymentAuthorised,
  onPaymentCaptured,
  onReleaseFact,
  unknownOrder,
} from './fulfilment';

const ORDER_ID = '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10';
const placed = { lines: [{ sku: 'BOOK-1', quantity: 2 }], currency: 'EUR', total: 2500 };
const aReservation = (status: ReservationStatus): Reservation => ({ id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', status, items: placed.lines });
const anOrder = (overrides: Partial<OrderFulfilment> = {}): OrderFulfilment => ({ ...unknownOrder(ORDER_ID), order: placed, ...overrides });

/** The consumed facts, as the application hands them to the domain (a release fact by its reason). */
type FulfilmentFact = { type: 'OrderPlaced' } | { type: 'PaymentAuthorised' } | { type: 'PaymentCaptured' } | { type: 'release'; reason: ReleaseReason };
const orderPlaced: FulfilmentFact = { type: 'OrderPlaced' };
const paymentAuthorised: FulfilmentFact = { type: 'PaymentAuthorised' };
const paymentCaptured: FulfilmentFact = { type: 'PaymentCaptured' };
const release = (reason: ReleaseReason): FulfilmentFact => ({ type: 'release', reason });

/** State-stored: the application persists each decision with guarded updates, so there is no evolve to replay. */
const fulfilment = deciderSpec<OrderFulfilment, FulfilmentFact, OrderPlacedDecision | PaymentAuthorisedDecision | PaymentCapturedDecision | ReleaseDecision>({
  decide: (state, fact) => {
    switch (fact.type) {
      case 'OrderPlaced':
        return onOrderPlaced(state);
      case 'PaymentAuthorised':
        return onPaymentAuthorised(state);
      case 'PaymentCaptured':
        return onPaymentCaptured(state);
      case 'release':
        return onReleaseFact(state, fact.reason);
    }
  },
});

describe('order fulfilment decider', () => {
  describe('given nothing is known about the order', () => {
    it('when OrderPlaced arrives, then its lines are remembered and nothing is reserved yet', () => {
      fulfilment.from(unknownOrder(ORDER_ID)).when(orderPlaced).then({ kind: 'remember', reserveNow: false });
    });

    it('when PaymentAuthorised arrives first, then it is parked', () => {
      fulfilment.from(unknownOrder(ORDER_ID)).when(paymentAuthorised).then({ kind: 'park' });
    });
  });

  describe('given a parked authorisation (PaymentAuthorised before OrderPlaced)', () => {
    const parked = { ...unknownOrder(ORDER_ID), payment: 'AUTHORISED' as const };

    it('when OrderPlaced arrives, then the order is remembered and reserved at once', () => {
      fulfilment.from(parked).when(orderPlaced).then({ kind: 'remember', reserveNow: true });
    });

    it('when PaymentVoided arrives before the order, then the parked payment is withdrawn', () => {
      fulfilment.from(parked).when(release('PAYMENT_VOIDED')).then({ kind: 'withdraw-payment' });
    });

    it('when OrderPlaced arrives after the payment was withdrawn, then nothing is reserved', () => {
      fulfilment.from({ ...parked, payment: 'WITHDRAWN' }).when(orderPlaced).then({ kind: 'remember', reserveNow: false });
    });
  });

  describe('given a known order', () => {
    it('when PaymentAuthorised arrives, then stock is reserved', () => {
      fulfilment.from(anOrder()).when(paymentAuthorised).then({ kind: 'reserve' });
    });

    it('when OrderPlaced arrives again (another event id), then it is ignored', () => {
      fulfilment.from(anOrder()).when(orderPlaced).thenMatches({ kind: 'ignore' });
    });

    it('when it was cancelled before the payment was authorised, then nothing is reserved', () => {
      fulfilment.from(anOrder({ cancelled: true })).when(paymentAuthorised).thenMatches({ kind: 'ignore', reason: 'the order is cancelled' });
    });

    it('when a second PaymentAuthorised arrives after a reservation, then it is ignored', () => {
      fulfilment.from(anOrder({ payment: 'AUTHORISED', reservation: aReservation('HELD') })).when(paymentAuthorised).thenMatches({ kind: 'ignore' });
    });
  });

  describe('given a HELD reservation', () => {
    const held = anOrder({ payment: 'AUTHORISED', reservation: aReservation('HELD') });

    it('when the payment is captured, then the shipment is dispatched against it', () => {
      fulfilment.from(held).when(paymentCaptured).then({ kind: 'dispatch', reservation: aReservation('HELD') });
    });

    it.each([['PAYMENT_VOIDED'], ['PAYMENT_REFUNDED'], ['ORDER_CANCELLED']] as const)('when %s arrives, then the reservation is released', (reason) => {
      fulfilment.from(held).when(release(reason)).then({ kind: 'release', reservation: aReservation('HELD'), reason });
    });

    it('when the shipment failed and PaymentRefunded arrives (C4), then the still-held stock is released', () => {
      fulfilment.from({ ...held, shipment: { id: 's', status: 'FAILED' } }).when(release('PAYMENT_REFUNDED')).thenMatches({ kind: 'release', reason: 'PAYMENT_REFUNDED' });
    });
  });

  describe('given the reservation was consumed by a dispatch', () => {
    const shipped = anOrder({ payment: 'AUTHORISED', reservation: aReservation('CONSUMED'), shipment: { id: 's', status: 'DISPATCHED' } });

    it('when PaymentRefunded arrives (operator refund), then nothing is released: the stock has left', () => {
      fulfilment.from(shipped).when(release('PAYMENT_REFUNDED')).then({ kind: 'ignore', reason: 'the stock was dispatched; nothing to release' });
    });

    it('when PaymentCaptured arrives again, then it is a late duplicate and ignored', () => {
      fulfilment.from(shipped).when(paymentCaptured).thenMatches({ kind: 'ignore' });
    });
  });

  describe('given no held reservation', () => {
    it('when the payment is captured with no reservation at all, then the invariant is broken (dead letter)', () => {
      fulfilment.from(anOrder({ payment: 'AUTHORISED' })).when(paymentCaptured).then({ kind: 'invariant-broken', reason: 'payment captured but no reservation exists' });
    });

    it('when the payment is captured after the reservation FAILED, then the invariant is broken', () => {
      fulfilment.from(anOrder({ reservation: aReservation('FAILED') })).when(paymentCaptured).thenMatches({ kind: 'invariant-broken' });
    });

    it('when the reservation FAILED and PaymentVoided arrives (C2), then nothing happens', () => {
      fulfilment.from(anOrder({ reservation: aReservation('FAILED') })).when(release('PAYMENT_VOIDED')).thenMatches({ kind: 'ignore' });
    });

    it('when it was already released and another release fact arrives, then nothing happens', () => {
      fulfilment.from(anOrder({ reservation: aReservation('RELEASED') })).when(release('ORDER_CANCELLED')).thenMatches({ kind: 'ignore' });
    });

    it('when OrderCancelled arrives before anything was reserved, then the order is marked cancelled', () => {
      fulfilment.from(anOrder()).when(release('ORDER_CANCELLED')).then({ kind: 'mark-cancelled' });
    });
  });

  describe('reservation transitions', () => {
    it('only HELD moves, to CONSUMED or RELEASED', () => {
      expect(canTransitionReservation('HELD', 'CONSUMED')).toBe(true);
      expect(canTransitionReservation('HELD', 'RELEASED')).toBe(true);
      expect(canTransitionReservation('HELD', 'FAILED')).toBe(false);
    });

    it.each(['CONSUMED', 'RELEASED', 'FAILED'] as const)('%s is terminal', (from) => {
      for (const to of Object.keys(RESERVATION_TRANSITIONS) as ReservationStatus[]) expect(canTransitionReservation(from, to)).toBe(false);
    });
  });
});
