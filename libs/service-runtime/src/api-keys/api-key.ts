import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `psk_<prefix>_<secret>`:
 * - `prefix`: 12 hex characters (6 random bytes), stored in clear and unique, so a key is found by
 *   an index lookup and can be named in logs and support tickets without revealing it;
 * - `secret`: 32 random bytes (256 bits of entropy) in base64url.
 * Only a hash of the whole key is stored; the key itself is shown once, when it is created.
 */
export const API_KEY_PATTERN = /^psk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  /** The full key, to hand to the client once. Never stored. */
  key: string;
  prefix: string;
  hash: string;
}

export interface ParsedApiKey {
  prefix: string;
  key: string;
}

/** A new random key: `randomBytes` is the CSPRNG of node:crypto. */
export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedApiKey {
  const prefix = random(6).toString('hex');
  const secret = random(32).toString('base64url');
  const key = `psk_${prefix}_${secret}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The prefix of a well-formed key; undefined for anything that cannot be one of our keys. */
export function parseApiKey(candidate: string): ParsedApiKey | undefined {
  const match = API_KEY_PATTERN.exec(candidate);
  return match?.[1] ? { prefix: match[1], key: candidate } : undefined;
}

/**
 * SHA-256, hex. A plain fast hash is the right tool here (as for GitHub's and Stripe's tokens): the
 * key carries 256 random bits, so there is nothing to brute-force or look up in a dictionary, and a
 * slow password hash (bcrypt, scrypt, argon2) would only add latency to every request. Passwords,
 * which are low-entropy, would need the slow kind.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares the presented key's hash with the stored one in constant time. */
export function apiKeyMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `orders:write`, `orders:read`, `ops`: lower-case words, optionally `resource:action`. */
export const SCOPE_PATTERN = /^[a-z][a-z0-9-]*(:[a-z][a-z0-9-]*)?$/;
