import { MAX_IDEMPOTENCY_KEY_LENGTH, canonicalJson, readIdempotencyKey, requestFingerprint, routeTemplate } from './idempotency-key';

describe('readIdempotencyKey', () => {
  const problemOf = (occurrences: string[] | undefined) => {
    const reading = readIdempotencyKey(occurrences);
    if (reading.ok) throw new Error(`expected a problem, got the key ${reading.key}`);
    return reading.problem.problem;
  };

  it('accepts one key of up to 255 printable characters, as sent', () => {
    expect(readIdempotencyKey(['8e03978e-40d5-43e8-bc93-6894a57f9324'])).toEqual({ ok: true, key: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
    const longest = 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(readIdempotencyKey([longest])).toEqual({ ok: true, key: longest });
    expect(readIdempotencyKey(['"quoted sf-string"'])).toEqual({ ok: true, key: '"quoted sf-string"' });
  });

  it('answers a missing key with 400 idempotency-key-missing', () => {
    expect(problemOf(undefined)).toMatchObject({ status: 400, type: 'https://paystate.dev/problems/idempotency-key-missing' });
    expect(problemOf([])).toMatchObject({ status: 400, type: 'https://paystate.dev/problems/idempotency-key-missing' });
  });

  it.each([
    ['empty', ['']],
    ['blank', ['   ']],
    ['repeated', ['a', 'b']],
    ['repeated with the same value', ['a', 'a']],
    ['256 characters long', ['k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)]],
    ['not ASCII', ['clé']],
    ['holding a control character', ['a\tb']],
  ])('answers a key that is %s with 400 idempotency-key-invalid, naming the header', (_why, occurrences) => {
    expect(problemOf(occurrences)).toMatchObject({
      status: 400,
      type: 'https://paystate.dev/problems/idempotency-key-invalid',
      errors: [{ field: 'Idempotency-Key', message: expect.any(String) }],
    });
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('keeps array order, and distinguishes types and values', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"ey': 'line\nbreak "quoted" ü' })).toBe(JSON.stringify({ 'k"ey': 'line\nbreak "quoted" ü' }));
  });
});

describe('requestFingerprint', () => {
  const body = { customerId: 'cus_1', currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }] };

  it('is the same whatever the key order or spacing of the body', () => {
    const reordered = JSON.parse('{ "items": [ {"unitPrice":1250, "quantity":2, "sku":"BOOK-1"} ], "currency":"EUR", "customerId":"cus_1" }') as unknown;
    expect(requestFingerprint('POST', '/orders', reordered)).toBe(requestFingerprint('POST', '/orders', body));
    expect(requestFingerprint('post', '/orders', body)).toBe(requestFingerprint('POST', '/orders', body));
  });

  it('changes with any value, the method or the route', () => {
    const base = requestFingerprint('POST', '/orders', body);
    expect(requestFingerprint('POST', '/orders', { ...body, currency: 'USD' })).not.toBe(base);
    expect(requestFingerprint('POST', '/orders', { ...body, items: [{ sku: 'BOOK-1', quantity: 3, unitPrice: 1250 }] })).not.toBe(base);
    expect(requestFingerprint('PUT', '/orders', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/payments', body)).not.toBe(base);
    expect(requestFingerprint('POST', '/orders', undefined)).not.toBe(requestFingerprint('POST', '/orders', {}));
  });

  it('is a SHA-256 in hex', () => {
    expect(requestFingerprint('POST', '/orders', body)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('routeTemplate', () => {
  it.each([
    [['orders', '/'], '/orders'],
    [['/orders/', ':id'], '/orders/:id'],
    [['orders', undefined], '/orders'],
    [[undefined, '/'], '/'],
  ])('%p → %p', (segments, expected) => {
    expect(routeTemplate(...segments)).toBe(expected);
  });
});
