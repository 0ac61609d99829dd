import { deciderSpec, type DeciderThen } from '@paystate/testing/decider-spec';
import { OrderFact, OrderFactOutcome, OrderInSaga, applyFact } from './order-saga';

const anOrder = (overrides: Partial<OrderInSaga> = {}): OrderInSaga => ({
  id: '6a1d9a0e-6c1f-4a44-9d8c-1f2e3d4c5b6a',
  status: 'PENDING',
  customerId: 'cus_1',
  customerEmail: 'ada@example.com',
  currency: 'EUR',
  items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
  total: 2500,
  paymentMethod: 'tok_visa_approve',
  placedAt: new Date('2026-11-22T10:00:00Z'),
  paymentStatus: null,
  fulfilmentStatus: null,
  cancellationReason: null,
  cancellationDetail: null,
  refunded: false,
  shipment: null,
  ...overrides,
});

const shipment = { id: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b', carrier: 'paystate-post', trackingNumber: 'PS1' };

/** applyFact decides and evolves at once: the outcome carries the next order. */
const saga = deciderSpec<OrderInSaga, OrderFact, OrderFactOutcome>({ decide: applyFact, evolve: (_order, outcome) => outcome.order });

type Run = DeciderThen<OrderInSaga, OrderFactOutcome>;
/** Everything the order emitted over the run's facts, in order. */
const emitted = (run: Run): string[] => run.decisions.flatMap((d) => d.emit.map((e) => e.type));
const transitions = (run: Run): string[] => run.decisions.flatMap((d) => d.transitions.map((t) => `${t.from}→${t.to}`));

describe('the order follows the saga', () => {
  it('happy path: authorised, reserved, captured, dispatched → CONFIRMED then COMPLETED', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'PaymentAuthorised' }, { type: 'StockReserved' }, { type: 'PaymentCaptured' }, { type: 'ShipmentDispatched', shipment })
      .thenState({ status: 'COMPLETED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'DISPATCHED', shipment });
    expect(emitted(run)).toEqual(['OrderConfirmed', 'OrderCompleted']);
    expect(transitions(run)).toEqual(['PENDING→CONFIRMED', 'CONFIRMED→COMPLETED']);
  });

  it('given the dispatch seen before the capture (another topic), then the order completes through CONFIRMED, and the late capture changes nothing', () => {
    const run = saga
      .from(anOrder({ paymentStatus: 'AUTHORISED' }))
      .when({ type: 'ShipmentDispatched', shipment }, { type: 'PaymentCaptured' })
      .thenState({ status: 'COMPLETED', paymentStatus: 'CAPTURED' });
    expect(emitted(run)).toEqual(['OrderConfirmed', 'OrderCompleted']);
    expect(transitions(run)).toEqual(['PENDING→CONFIRMED', 'CONFIRMED→COMPLETED']);
  });

  it('C1: a declined payment cancels the order with its reason', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'PaymentFailed', reason: 'DECLINED', detail: 'card_declined' })
      .thenState({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', paymentStatus: 'FAILED', refunded: false });
    expect(emitted(run)).toEqual(['OrderCancelled']);
  });

  it('C1: a payment that failed validation cancels with PAYMENT_INVALID', () => {
    expect(saga.from(anOrder()).when({ type: 'PaymentFailed', reason: 'VALIDATION_FAILED', detail: 'unknown currency' }).state.cancellationReason).toBe('PAYMENT_INVALID');
  });

  it('C2: out of stock waits for the void, then cancels with the stock detail', () => {
    const afterFailure = saga.from(anOrder({ paymentStatus: 'AUTHORISED' })).when({ type: 'StockReservationFailed', detail: 'BOOK-1: 2 requested, 0 available' });
    expect(afterFailure.state.status).toBe('PENDING');
    expect(emitted(afterFailure)).toEqual([]);
    const voided = saga
      .from(afterFailure.state)
      .when({ type: 'PaymentVoided', reason: 'STOCK_UNAVAILABLE' })
      .thenState({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK', cancellationDetail: 'BOOK-1: 2 requested, 0 available', paymentStatus: 'VOIDED' });
    expect(emitted(voided)).toEqual(['OrderCancelled']);
  });

  it('C2 in the other order: the void seen first cancels at once, the late stock failure changes nothing', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'PaymentVoided', reason: 'STOCK_UNAVAILABLE' }, { type: 'StockReservationFailed', detail: 'x' })
      .thenState({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
    expect(emitted(run)).toEqual(['OrderCancelled']);
  });

  it('C3: a failed capture is voided: cancelled with CAPTURE_FAILED, nothing refunded', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'PaymentAuthorised' }, { type: 'StockReserved' }, { type: 'PaymentVoided', reason: 'CAPTURE_FAILED' }, { type: 'StockReleased' })
      .thenState({ status: 'CANCELLED', cancellationReason: 'CAPTURE_FAILED', refunded: false, fulfilmentStatus: 'RELEASED' });
    expect(emitted(run)).toEqual(['OrderCancelled']);
  });

  it('C4: a failed shipment after capture → confirmed, then cancelled as refunded once the refund lands', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'PaymentCaptured' }, { type: 'ShipmentFailed', reason: 'carrier rejected the parcel' }, { type: 'PaymentRefunded', reason: 'SHIPMENT_FAILED', refundedTotal: 2500 })
      .thenState({ status: 'CANCELLED', cancellationReason: 'SHIPMENT_FAILED', refunded: true, paymentStatus: 'REFUNDED' });
    expect(emitted(run)).toEqual(['OrderConfirmed', 'OrderCancelled']);
    expect(transitions(run)).toEqual(['PENDING→CONFIRMED', 'CONFIRMED→CANCELLED']);
  });

  it('C4 with the shipment failure seen before the capture: the same end, the same events', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'ShipmentFailed', reason: 'carrier rejected the parcel' }, { type: 'PaymentCaptured' }, { type: 'PaymentRefunded', reason: 'SHIPMENT_FAILED', refundedTotal: 2500 })
      .thenState({ status: 'CANCELLED', cancellationReason: 'SHIPMENT_FAILED', refunded: true });
    expect(emitted(run)).toEqual(['OrderConfirmed', 'OrderCancelled']);
  });

  it('C5: a payment that needs review leaves the order where it is, showing the payment status', () => {
    const run = saga
      .from(anOrder())
      .when({ type: 'StockReservationFailed', detail: 'x' }, { type: 'PaymentRequiresReview', reason: 'void failed' })
      .thenState({ status: 'PENDING', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: 'RESERVATION_FAILED' });
    expect(emitted(run)).toEqual([]);
  });

  it('an operator refund of a completed order keeps it COMPLETED and marks the payment', () => {
    const completed = anOrder({ status: 'COMPLETED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'DISPATCHED', shipment });
    const partial = saga.from(completed).when({ type: 'PaymentRefunded', reason: 'OPERATOR', refundedTotal: 1000 }).thenState({ status: 'COMPLETED', paymentStatus: 'PARTIALLY_REFUNDED' });
    expect(emitted(partial)).toEqual([]);
    expect(saga.from(partial.state).when({ type: 'PaymentRefunded', reason: 'OPERATOR', refundedTotal: 2500 }).state.paymentStatus).toBe('REFUNDED');
  });

  it('never moves a terminal order: a cancelled order ignores a dispatch, a completed one ignores a cancellation', () => {
    const cancelled = saga.from(anOrder()).given({ type: 'PaymentFailed', reason: 'DECLINED', detail: 'x' });
    cancelled.when({ type: 'ShipmentDispatched', shipment }).thenMatches({ order: cancelled.state, emit: [], transitions: [], ignored: 'order already CANCELLED' });

    const voided = saga.from(anOrder({ status: 'COMPLETED', paymentStatus: 'CAPTURED' })).when({ type: 'PaymentVoided', reason: 'CAPTURE_FAILED' });
    expect(voided.state.status).toBe('COMPLETED');
    expect(voided.decision.emit).toEqual([]);
    expect(voided.decision.ignored).toBe('order already COMPLETED');
  });

  it('a repeated fact is a no-op the second time', () => {
    const once = saga.from(anOrder()).when({ type: 'PaymentCaptured' });
    const twice = saga.from(once.state).when({ type: 'PaymentCaptured' });
    expect(twice.decision.emit).toEqual([]);
    expect(twice.decision.transitions).toEqual([]);
    expect(twice.state).toEqual(once.state);
  });

  it('given a payment sent to review because its authorisation stayed unknown, when it turns out authorised and is captured, then the order shows it and goes on', () => {
    const reviewed = saga
      .from(anOrder())
      .when({ type: 'PaymentRequiresReview', reason: 'AUTHORISE outcome still unknown at its deadline' }, { type: 'PaymentAuthorised' })
      .thenState({ status: 'PENDING', paymentStatus: 'AUTHORISED' });
    const captured = saga.from(reviewed.state).when({ type: 'PaymentCaptured' }).thenState({ status: 'CONFIRMED', paymentStatus: 'CAPTURED' });
    expect([...emitted(reviewed), ...emitted(captured)]).toEqual(['OrderConfirmed']);
  });
});
