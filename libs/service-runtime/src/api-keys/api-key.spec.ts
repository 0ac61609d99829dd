import { API_KEY_PATTERN, apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from './api-key';
import { bearerToken } from './api-key.guard';

describe('generateApiKey', () => {
  it('makes psk_<prefix>_<secret> keys with 32 random bytes of secret, storing only a SHA-256', () => {
    const generated = generateApiKey();
    expect(generated.key).toMatch(API_KEY_PATTERN);
    expect(generated.key.startsWith(`psk_${generated.prefix}_`)).toBe(true);
    const secret = generated.key.slice(`psk_${generated.prefix}_`.length);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(generated.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.hash).toBe(hashApiKey(generated.key));
    expect(generated.hash).not.toContain(secret);
  });

  it('uses the random source it is given for both prefix and secret', () => {
    const sizes: number[] = [];
    const key = generateApiKey((size) => {
      sizes.push(size);
      return Buffer.alloc(size, 0xab);
    });
    expect(sizes).toEqual([6, 32]);
    expect(key.prefix).toBe('abababababab');
  });

  it('never makes the same key twice', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });
});

describe('parseApiKey', () => {
  it('finds the prefix of a well-formed key', () => {
    const { key, prefix } = generateApiKey();
    expect(parseApiKey(key)).toEqual({ prefix, key });
  });

  it.each(['', 'psk_', 'psk_abc_def', 'sk_live_0123456789abcdef', `psk_ABCDEF012345_${'a'.repeat(43)}`, `psk_0123456789ab_${'a'.repeat(44)}`, `psk_0123456789ab_${'a'.repeat(42)}!`])(
    'rejects %p',
    (candidate) => {
      expect(parseApiKey(candidate)).toBeUndefined();
    },
  );
});

describe('apiKeyMatches', () => {
  it('accepts the key that was hashed and nothing else', () => {
    const { key, hash } = generateApiKey();
    const other = generateApiKey();
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(other.key, hash)).toBe(false);
    // same prefix, one character of the secret changed
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(apiKeyMatches(tampered, hash)).toBe(false);
  });

  it('is false, not an exception, for a stored hash of another length', () => {
    const { key } = generateApiKey();
    expect(apiKeyMatches(key, 'abcd')).toBe(false);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer psk_x', 'psk_x'],
    ['bearer psk_x', 'psk_x'],
    ['Bearer   psk_x ', 'psk_x'],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('%p → %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
