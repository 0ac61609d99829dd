import { MAX_DELIVERY_ATTEMPTS, NORMAL_DELIVERY, afterFailedAttempt, deliveryPlan, isAcknowledged, webhookBody } from './webhook-event';

describe('webhook delivery', () => {
  it('retries with exponential backoff from the base, then gives up after 8 attempts', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempts) => afterFailedAttempt(attempts, 500));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000].map((retryInMs) => ({ retryInMs })));
    expect(afterFailedAttempt(MAX_DELIVERY_ATTEMPTS, 500)).toBe('give-up');
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
  });

  it('counts only 2xx as acknowledged', () => {
    expect([200, 202, 299].every(isAcknowledged)).toBe(true);
    expect([199, 301, 400, 409, 500].some(isAcknowledged)).toBe(false);
  });

  it('plans one pending delivery normally, two in duplicate mode, held ones in out-of-order mode', () => {
    expect(deliveryPlan(NORMAL_DELIVERY)).toEqual({ copies: 1, status: 'pending' });
    expect(deliveryPlan({ ...NORMAL_DELIVERY, duplicate: true })).toEqual({ copies: 2, status: 'pending' });
    expect(deliveryPlan({ ...NORMAL_DELIVERY, outOfOrder: true })).toEqual({ copies: 1, status: 'held' });
  });

  it('serialises an event with a fixed key order and declineCode only when there is one', () => {
    const data = { operationId: 'k1', reference: 'pay_1', authorisationId: 'auth_1', objectId: 'auth_1', amount: 100, currency: 'EUR' };
    expect(webhookBody({ id: 'evt_1', type: 'authorisation.succeeded', created: 1700000000, sequence: 1, data })).toBe(
      '{"id":"evt_1","type":"authorisation.succeeded","created":1700000000,"sequence":1,"data":{"operationId":"k1","reference":"pay_1","authorisationId":"auth_1","objectId":"auth_1","amount":100,"currency":"EUR"}}',
    );
    expect(JSON.parse(webhookBody({ id: 'evt_2', type: 'authorisation.declined', created: 1, sequence: 2, data: { ...data, declineCode: 'generic_decline' } }))).toMatchObject({
      data: { declineCode: 'generic_decline' },
    });
  });
});
