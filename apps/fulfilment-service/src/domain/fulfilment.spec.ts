import {
  OrderFulfilment,
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

describe('order fulfilment decider', () => {
  describe('given nothing is known about the order', () => {
    it('when OrderPlaced arrives, then its lines are remembered and nothing is reserved yet', () => {
      expect(onOrderPlaced(unknownOrder(ORDER_ID))).toEqual({ kind: 'remember', reserveNow: false });
    });

    it('when PaymentAuthorised arrives first, then it is parked', () => {
      expect(onPaymentAuthorised(unknownOrder(ORDER_ID))).toEqual({ kind: 'park' });
    });
  });

  describe('given a parked authorisation (PaymentAuthorised before OrderPlaced)', () => {
    const parked = { ...unknownOrder(ORDER_ID), payment: 'AUTHORISED' as const };

    it('when OrderPlaced arrives, then the order is remembered and reserved at once', () => {
      expect(onOrderPlaced(parked)).toEqual({ kind: 'remember', reserveNow: true });
    });

    it('when PaymentVoided arrives before the order, then the parked payment is withdrawn', () => {
      expect(onReleaseFact(parked, 'PAYMENT_VOIDED')).toEqual({ kind: 'withdraw-payment' });
    });

    it('when OrderPlaced arrives after the payment was withdrawn, then nothing is reserved', () => {
      expect(onOrderPlaced({ ...parked, payment: 'WITHDRAWN' })).toEqual({ kind: 'remember', reserveNow: false });
    });
  });

  describe('given a known order', () => {
    it('when PaymentAuthorised arrives, then stock is reserved', () => {
      expect(onPaymentAuthorised(anOrder())).toEqual({ kind: 'reserve' });
    });

    it('when OrderPlaced arrives again (another event id), then it is ignored', () => {
      expect(onOrderPlaced(anOrder())).toMatchObject({ kind: 'ignore' });
    });

    it('when it was cancelled before the payment was authorised, then nothing is reserved', () => {
      expect(onPaymentAuthorised(anOrder({ cancelled: true }))).toMatchObject({ kind: 'ignore', reason: 'the order is cancelled' });
    });

    it('when a second PaymentAuthorised arrives after a reservation, then it is ignored', () => {
      expect(onPaymentAuthorised(anOrder({ payment: 'AUTHORISED', reservation: aReservation('HELD') }))).toMatchObject({ kind: 'ignore' });
    });
  });

  describe('given a HELD reservation', () => {
    const held = anOrder({ payment: 'AUTHORISED', reservation: aReservation('HELD') });

    it('when the payment is captured, then the shipment is dispatched against it', () => {
      expect(onPaymentCaptured(held)).toEqual({ kind: 'dispatch', reservation: aReservation('HELD') });
    });

    it.each([['PAYMENT_VOIDED'], ['PAYMENT_REFUNDED'], ['ORDER_CANCELLED']] as const)('when %s arrives, then the reservation is released', (reason) => {
      expect(onReleaseFact(held, reason)).toEqual({ kind: 'release', reservation: aReservation('HELD'), reason });
    });

    it('when the shipment failed and PaymentRefunded arrives (C4), then the still-held stock is released', () => {
      expect(onReleaseFact({ ...held, shipment: { id: 's', status: 'FAILED' } }, 'PAYMENT_REFUNDED')).toMatchObject({ kind: 'release', reason: 'PAYMENT_REFUNDED' });
    });
  });

  describe('given the reservation was consumed by a dispatch', () => {
    const shipped = anOrder({ payment: 'AUTHORISED', reservation: aReservation('CONSUMED'), shipment: { id: 's', status: 'DISPATCHED' } });

    it('when PaymentRefunded arrives (operator refund), then nothing is released: the stock has left', () => {
      expect(onReleaseFact(shipped, 'PAYMENT_REFUNDED')).toEqual({ kind: 'ignore', reason: 'the stock was dispatched; nothing to release' });
    });

    it('when PaymentCaptured arrives again, then it is a late duplicate and ignored', () => {
      expect(onPaymentCaptured(shipped)).toMatchObject({ kind: 'ignore' });
    });
  });

  describe('given no held reservation', () => {
    it('when the payment is captured with no reservation at all, then the invariant is broken (dead letter)', () => {
      expect(onPaymentCaptured(anOrder({ payment: 'AUTHORISED' }))).toEqual({ kind: 'invariant-broken', reason: 'payment captured but no reservation exists' });
    });

    it('when the payment is captured after the reservation FAILED, then the invariant is broken', () => {
      expect(onPaymentCaptured(anOrder({ reservation: aReservation('FAILED') }))).toMatchObject({ kind: 'invariant-broken' });
    });

    it('when the reservation FAILED and PaymentVoided arrives (C2), then nothing happens', () => {
      expect(onReleaseFact(anOrder({ reservation: aReservation('FAILED') }), 'PAYMENT_VOIDED')).toMatchObject({ kind: 'ignore' });
    });

    it('when it was already released and another release fact arrives, then nothing happens', () => {
      expect(onReleaseFact(anOrder({ reservation: aReservation('RELEASED') }), 'ORDER_CANCELLED')).toMatchObject({ kind: 'ignore' });
    });

    it('when OrderCancelled arrives before anything was reserved, then the order is marked cancelled', () => {
      expect(onReleaseFact(anOrder(), 'ORDER_CANCELLED')).toEqual({ kind: 'mark-cancelled' });
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
