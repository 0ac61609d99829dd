import { initiatePayment } from './payment';

describe('initiatePayment', () => {
  it('given OrderPlaced, when a payment is initiated, then it is INITIATED for the order total and currency', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const payment = initiatePayment(
      { orderId: 'b2a7c1d0-0000-4000-8000-000000000001', total: 2699, currency: 'EUR', paymentMethod: 'tok_visa_approve' },
      { paymentId: 'b2a7c1d0-0000-4000-8000-0000000000aa', now },
    );
    expect(payment).toEqual({
      id: 'b2a7c1d0-0000-4000-8000-0000000000aa',
      orderId: 'b2a7c1d0-0000-4000-8000-000000000001',
      status: 'INITIATED',
      amount: 2699,
      currency: 'EUR',
      paymentMethod: 'tok_visa_approve',
      createdAt: now,
    });
  });
});
