import { sagaStageOf } from './saga-stage';

describe('the stage of an order’s saga', () => {
  it.each([
    [{ status: 'PENDING', paymentStatus: null, fulfilmentStatus: null }, 'AWAITING_AUTHORISATION'],
    [{ status: 'PENDING', paymentStatus: null, fulfilmentStatus: 'RESERVED' }, 'AWAITING_AUTHORISATION'],
    [{ status: 'PENDING', paymentStatus: 'AUTHORISED', fulfilmentStatus: null }, 'AWAITING_STOCK'],
    [{ status: 'PENDING', paymentStatus: 'AUTHORISED', fulfilmentStatus: 'RESERVED' }, 'AWAITING_CAPTURE'],
    [{ status: 'PENDING', paymentStatus: 'AUTHORISED', fulfilmentStatus: 'RESERVATION_FAILED' }, 'AWAITING_VOID'],
    [{ status: 'PENDING', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: 'RESERVATION_FAILED' }, 'PAYMENT_IN_REVIEW'],
    [{ status: 'CONFIRMED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'RESERVED' }, 'AWAITING_SHIPMENT'],
    [{ status: 'CONFIRMED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'SHIPMENT_FAILED' }, 'AWAITING_REFUND'],
    [{ status: 'CONFIRMED', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: 'SHIPMENT_FAILED' }, 'PAYMENT_IN_REVIEW'],
  ] as const)('%o → %s', (order, stage) => {
    expect(sagaStageOf(order)).toBe(stage);
  });

  it('a terminal order waits for nothing, whatever its payment shows', () => {
    expect(sagaStageOf({ status: 'COMPLETED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'DISPATCHED' })).toBeNull();
    expect(sagaStageOf({ status: 'CANCELLED', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: null })).toBeNull();
  });
});
