import { OrderFact, OrderInSaga, applyFact } from './order-saga';

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

/** Applies facts in turn and collects everything the order emitted. */
function given(order: OrderInSaga, ...facts: OrderFact[]) {
  let current = order;
  const emitted: string[] = [];
  const transitions: string[] = [];
  for (const fact of facts) {
    const outcome = applyFact(current, fact);
    current = outcome.order;
    emitted.push(...outcome.emit.map((e) => e.type));
    transitions.push(...outcome.transitions.map((t) => `${t.from}→${t.to}`));
  }
  return { order: current, emitted, transitions };
}

describe('the order follows the saga', () => {
  it('happy path: authorised, reserved, captured, dispatched → CONFIRMED then COMPLETED', () => {
    const { order, emitted, transitions } = given(
      anOrder(),
      { type: 'PaymentAuthorised' },
      { type: 'StockReserved' },
      { type: 'PaymentCaptured' },
      { type: 'ShipmentDispatched', shipment },
    );
    expect(order).toMatchObject({ status: 'COMPLETED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'DISPATCHED', shipment });
    expect(emitted).toEqual(['OrderConfirmed', 'OrderCompleted']);
    expect(transitions).toEqual(['PENDING→CONFIRMED', 'CONFIRMED→COMPLETED']);
  });

  it('given the dispatch seen before the capture (another topic), then the order completes through CONFIRMED, and the late capture changes nothing', () => {
    const { order, emitted, transitions } = given(anOrder({ paymentStatus: 'AUTHORISED' }), { type: 'ShipmentDispatched', shipment }, { type: 'PaymentCaptured' });
    expect(order).toMatchObject({ status: 'COMPLETED', paymentStatus: 'CAPTURED' });
    expect(emitted).toEqual(['OrderConfirmed', 'OrderCompleted']);
    expect(transitions).toEqual(['PENDING→CONFIRMED', 'CONFIRMED→COMPLETED']);
  });

  it('C1: a declined payment cancels the order with its reason', () => {
    const { order, emitted } = given(anOrder(), { type: 'PaymentFailed', reason: 'DECLINED', detail: 'card_declined' });
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', paymentStatus: 'FAILED', refunded: false });
    expect(emitted).toEqual(['OrderCancelled']);
  });

  it('C1: a payment that failed validation cancels with PAYMENT_INVALID', () => {
    expect(given(anOrder(), { type: 'PaymentFailed', reason: 'VALIDATION_FAILED', detail: 'unknown currency' }).order.cancellationReason).toBe('PAYMENT_INVALID');
  });

  it('C2: out of stock waits for the void, then cancels with the stock detail', () => {
    const afterFailure = given(anOrder({ paymentStatus: 'AUTHORISED' }), { type: 'StockReservationFailed', detail: 'BOOK-1: 2 requested, 0 available' });
    expect(afterFailure.order.status).toBe('PENDING');
    expect(afterFailure.emitted).toEqual([]);
    const { order, emitted } = given(afterFailure.order, { type: 'PaymentVoided', reason: 'STOCK_UNAVAILABLE' });
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK', cancellationDetail: 'BOOK-1: 2 requested, 0 available', paymentStatus: 'VOIDED' });
    expect(emitted).toEqual(['OrderCancelled']);
  });

  it('C2 in the other order: the void seen first cancels at once, the late stock failure changes nothing', () => {
    const { order, emitted } = given(anOrder(), { type: 'PaymentVoided', reason: 'STOCK_UNAVAILABLE' }, { type: 'StockReservationFailed', detail: 'x' });
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
    expect(emitted).toEqual(['OrderCancelled']);
  });

  it('C3: a failed capture is voided: cancelled with CAPTURE_FAILED, nothing refunded', () => {
    const { order, emitted } = given(anOrder(), { type: 'PaymentAuthorised' }, { type: 'StockReserved' }, { type: 'PaymentVoided', reason: 'CAPTURE_FAILED' }, { type: 'StockReleased' });
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CAPTURE_FAILED', refunded: false, fulfilmentStatus: 'RELEASED' });
    expect(emitted).toEqual(['OrderCancelled']);
  });

  it('C4: a failed shipment after capture → confirmed, then cancelled as refunded once the refund lands', () => {
    const { order, emitted, transitions } = given(
      anOrder(),
      { type: 'PaymentCaptured' },
      { type: 'ShipmentFailed', reason: 'carrier rejected the parcel' },
      { type: 'PaymentRefunded', reason: 'SHIPMENT_FAILED', refundedTotal: 2500 },
    );
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SHIPMENT_FAILED', refunded: true, paymentStatus: 'REFUNDED' });
    expect(emitted).toEqual(['OrderConfirmed', 'OrderCancelled']);
    expect(transitions).toEqual(['PENDING→CONFIRMED', 'CONFIRMED→CANCELLED']);
  });

  it('C4 with the shipment failure seen before the capture: the same end, the same events', () => {
    const { order, emitted } = given(
      anOrder(),
      { type: 'ShipmentFailed', reason: 'carrier rejected the parcel' },
      { type: 'PaymentCaptured' },
      { type: 'PaymentRefunded', reason: 'SHIPMENT_FAILED', refundedTotal: 2500 },
    );
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SHIPMENT_FAILED', refunded: true });
    expect(emitted).toEqual(['OrderConfirmed', 'OrderCancelled']);
  });

  it('C5: a payment that needs review leaves the order where it is, showing the payment status', () => {
    const { order, emitted } = given(anOrder(), { type: 'StockReservationFailed', detail: 'x' }, { type: 'PaymentRequiresReview', reason: 'void failed' });
    expect(order).toMatchObject({ status: 'PENDING', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: 'RESERVATION_FAILED' });
    expect(emitted).toEqual([]);
  });

  it('an operator refund of a completed order keeps it COMPLETED and marks the payment', () => {
    const completed = anOrder({ status: 'COMPLETED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'DISPATCHED', shipment });
    const partial = given(completed, { type: 'PaymentRefunded', reason: 'OPERATOR', refundedTotal: 1000 });
    expect(partial.order).toMatchObject({ status: 'COMPLETED', paymentStatus: 'PARTIALLY_REFUNDED' });
    expect(partial.emitted).toEqual([]);
    expect(given(partial.order, { type: 'PaymentRefunded', reason: 'OPERATOR', refundedTotal: 2500 }).order.paymentStatus).toBe('REFUNDED');
  });

  it('never moves a terminal order: a cancelled order ignores a dispatch, a completed one ignores a cancellation', () => {
    const cancelled = given(anOrder(), { type: 'PaymentFailed', reason: 'DECLINED', detail: 'x' }).order;
    const late = applyFact(cancelled, { type: 'ShipmentDispatched', shipment });
    expect(late).toMatchObject({ order: cancelled, emit: [], transitions: [], ignored: 'order already CANCELLED' });

    const completed = anOrder({ status: 'COMPLETED', paymentStatus: 'CAPTURED' });
    const voided = applyFact(completed, { type: 'PaymentVoided', reason: 'CAPTURE_FAILED' });
    expect(voided.order.status).toBe('COMPLETED');
    expect(voided.emit).toEqual([]);
    expect(voided.ignored).toBe('order already COMPLETED');
  });

  it('a repeated fact is a no-op the second time', () => {
    const once = given(anOrder(), { type: 'PaymentCaptured' });
    const twice = applyFact(once.order, { type: 'PaymentCaptured' });
    expect(twice.emit).toEqual([]);
    expect(twice.transitions).toEqual([]);
    expect(twice.order).toEqual(once.order);
  });

  it('given a payment sent to review because its authorisation stayed unknown, when it turns out authorised and is captured, then the order shows it and goes on', () => {
    const { order, emitted } = given(anOrder(), { type: 'PaymentRequiresReview', reason: 'AUTHORISE outcome still unknown at its deadline' }, { type: 'PaymentAuthorised' });
    expect(order).toMatchObject({ status: 'PENDING', paymentStatus: 'AUTHORISED' });
    const captured = given(order, { type: 'PaymentCaptured' });
    expect(captured.order).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'CAPTURED' });
    expect([...emitted, ...captured.emitted]).toEqual(['OrderConfirmed']);
  });
});
