import { classify } from './processor-client';

describe('classify (what a processor answer proves)', () => {
  it('2xx with an object id is a success', () => {
    expect(classify(201, { id: 'auth_1' })).toEqual({ kind: 'succeeded', objectId: 'auth_1' });
  });

  it('402 is a definitive failure with the decline code', () => {
    expect(classify(402, { code: 'card_declined', declineCode: 'insufficient_funds', detail: 'no money' })).toEqual({ kind: 'failed', code: 'insufficient_funds', detail: 'no money' });
  });

  it('409 invalid state is a failure, 409 in progress is unknown', () => {
    expect(classify(409, { code: 'invalid_state' }).kind).toBe('failed');
    expect(classify(409, { code: 'request_in_progress' }).kind).toBe('unknown');
  });

  it.each([500, 502, 503, 429, 401, 422])('%s proves nothing: unknown', (status) => {
    expect(classify(status, {}).kind).toBe('unknown');
  });

  it('a 2xx without an object id proves nothing either', () => {
    expect(classify(200, {}).kind).toBe('unknown');
  });
});
