import { OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1, PaymentRefundedV1 } from '@paystate/contracts';
import { CustomerFact, addressNotification, classifySmtpFailure, decideAfterAttempt, messageIdFor, notificationFor } from './notification';

const orderId = '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10';
const eventId = '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b';

const confirmed = (overrides: Partial<OrderConfirmedV1> = {}): CustomerFact => ({ type: 'OrderConfirmed', eventId, payload: { ...OrderConfirmedV1.example, orderId, ...overrides } });
const completed = (overrides: Partial<OrderCompletedV1> = {}): CustomerFact => ({ type: 'OrderCompleted', eventId, payload: { ...OrderCompletedV1.example, orderId, ...overrides } });
const cancelled = (overrides: Partial<OrderCancelledV1> = {}): CustomerFact => ({ type: 'OrderCancelled', eventId, payload: { ...OrderCancelledV1.example, orderId, ...overrides } });
const refunded = (overrides: Partial<PaymentRefundedV1> = {}): CustomerFact => ({ type: 'PaymentRefunded', eventId, payload: { ...PaymentRefundedV1.example, orderId, ...overrides } });

describe('which fact means which notification', () => {
  it.each([
    ['OrderConfirmed', confirmed(), 'ORDER_CONFIRMED'],
    ['OrderCompleted', completed(), 'ORDER_DISPATCHED'],
    ['OrderCancelled', cancelled(), 'ORDER_CANCELLED'],
    ['PaymentRefunded', refunded(), 'PAYMENT_REFUNDED'],
  ] as const)('when %s arrives, then one %s notification about that fact', (_type, fact, kind) => {
    const request = notificationFor(fact);
    expect(request).toMatchObject({ kind, orderId, sourceEventId: eventId });
  });

  it('an order fact carries its own recipient', () => {
    expect(notificationFor(confirmed({ customerEmail: 'grace@example.com' })).recipient).toBe('grace@example.com');
  });

  it('a refund does not: its recipient comes from OrderPlaced', () => {
    expect(notificationFor(refunded()).recipient).toBeUndefined();
  });
});

describe('parking and release (SPEC §3.5)', () => {
  it('given no OrderPlaced seen, when a refund arrives, then it is parked waiting for a recipient', () => {
    const parked = addressNotification(notificationFor(refunded()), undefined);
    expect(parked).toMatchObject({ status: 'WAITING_FOR_RECIPIENT', recipient: undefined, kind: 'PAYMENT_REFUNDED' });
  });

  it('given OrderPlaced seen, when a refund arrives, then it is due for the remembered address', () => {
    const due = addressNotification(notificationFor(refunded()), 'ada@example.com');
    expect(due).toMatchObject({ status: 'PENDING', recipient: 'ada@example.com' });
  });

  it('the address on the fact wins over a remembered one', () => {
    const due = addressNotification(notificationFor(cancelled({ customerEmail: 'new@example.com' })), 'old@example.com');
    expect(due).toMatchObject({ status: 'PENDING', recipient: 'new@example.com' });
  });

  it('an order fact is never parked', () => {
    expect(addressNotification(notificationFor(completed()), undefined).status).toBe('PENDING');
  });
});

describe('after an attempt to send', () => {
  it('accepted → SENT', () => {
    expect(decideAfterAttempt({ outcome: 'accepted' }, 1, 60_000)).toEqual({ status: 'SENT' });
  });

  it('a transient failure is retried with exponential backoff, capped', () => {
    const fail = { outcome: 'transient', error: 'ECONNREFUSED' } as const;
    expect(decideAfterAttempt(fail, 1, 60_000)).toEqual({ status: 'PENDING', retryInMs: 1_000, error: 'ECONNREFUSED' });
    expect(decideAfterAttempt(fail, 3, 60_000)).toMatchObject({ retryInMs: 4_000 });
    expect(decideAfterAttempt(fail, 50, 60_000)).toMatchObject({ retryInMs: 60_000 });
  });

  it('a permanent refusal → FAILED with the error', () => {
    expect(decideAfterAttempt({ outcome: 'permanent', error: '550 no such user' }, 1, 60_000)).toEqual({ status: 'FAILED', error: '550 no such user' });
  });
});

describe('SMTP failures', () => {
  it('no answer at all (connection refused, timeout) is transient', () => {
    expect(classifySmtpFailure({ message: 'connect ECONNREFUSED 127.0.0.1:11025' })).toEqual({ outcome: 'transient', error: 'connect ECONNREFUSED 127.0.0.1:11025' });
  });

  it('4xx is transient', () => {
    expect(classifySmtpFailure({ responseCode: 451, message: 'try again later' }).outcome).toBe('transient');
  });

  it('5xx is permanent', () => {
    expect(classifySmtpFailure({ responseCode: 550, message: 'mailbox unavailable' })).toEqual({ outcome: 'permanent', error: '550 mailbox unavailable' });
  });
});

it('the Message-ID is derived from the notification id, so a resend carries the same one', () => {
  const id = '4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a';
  expect(messageIdFor(id, 'notifications.paystate.local')).toBe('<4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a@notifications.paystate.local>');
  expect(messageIdFor(id, 'notifications.paystate.local')).toBe(messageIdFor(id, 'notifications.paystate.local'));
});
