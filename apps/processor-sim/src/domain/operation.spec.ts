import { canonicalJson, requestFingerprint } from './operation';

describe('request fingerprints', () => {
  it('ignore key order, at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(requestFingerprint('authorise', '/v1/authorisations', { amount: 1, currency: 'EUR' })).toBe(
      requestFingerprint('authorise', '/v1/authorisations', { currency: 'EUR', amount: 1 }),
    );
  });

  it('differ by operation, resource and body', () => {
    const base = requestFingerprint('capture', '/v1/authorisations/auth_1/capture', { amount: 1 });
    expect(requestFingerprint('refund', '/v1/authorisations/auth_1/capture', { amount: 1 })).not.toBe(base);
    expect(requestFingerprint('capture', '/v1/authorisations/auth_2/capture', { amount: 1 })).not.toBe(base);
    expect(requestFingerprint('capture', '/v1/authorisations/auth_1/capture', { amount: 2 })).not.toBe(base);
  });

  it('treat a missing body as {}', () => {
    expect(requestFingerprint('void', '/p', undefined)).toBe(requestFingerprint('void', '/p', {}));
  });
});
