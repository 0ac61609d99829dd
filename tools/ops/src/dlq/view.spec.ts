import { maskedPayload } from './view';

describe('maskedPayload', () => {
  it('shows size, hash, field names and id fields, never the other values', () => {
    const value = JSON.stringify({ orderId: 'o-1', paymentId: 'p-1', amount: 2500, customerEmail: 'a@example.com', id: 'x' });
    const masked = maskedPayload(value);
    expect(masked).toMatchObject({ bytes: Buffer.byteLength(value), fields: ['orderId', 'paymentId', 'amount', 'customerEmail', 'id'], ids: { orderId: 'o-1', paymentId: 'p-1', id: 'x' } });
    expect(masked.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(masked)).not.toContain('2500');
    expect(JSON.stringify(masked)).not.toContain('a@example.com');
  });

  it('a value that is not a JSON object is only sized and hashed', () => {
    expect(maskedPayload('not json')).toMatchObject({ bytes: 8, fields: [], ids: {} });
    expect(maskedPayload(null)).toEqual({ bytes: 0, sha256: null, fields: [], ids: {} });
  });
});
