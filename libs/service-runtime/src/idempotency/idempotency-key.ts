import { createHash } from 'node:crypto';
import { ProblemError } from '../problem-details';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Printable ASCII: what a UUID, a ULID or `stripe-node-retry-<uuid>` is made of. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

export type IdempotencyKeyReading = { ok: true; key: string } | { ok: false; problem: ProblemError };

const keyProblem = (slug: 'idempotency-key-missing' | 'idempotency-key-invalid', title: string, detail: string): IdempotencyKeyReading => ({
  ok: false,
  problem: ProblemError.of(400, slug, title, detail, { errors: [{ field: 'Idempotency-Key', message: detail }] }),
});

/**
 * Validates the `Idempotency-Key` header, given every occurrence of it (Node's `headersDistinct`:
 * `headers` would join repeated fields with ", " and hide the repetition). SPEC §5: missing → 400;
 * empty, repeated or longer than 255 characters → 400. The key is used exactly as sent.
 */
export function readIdempotencyKey(occurrences: readonly string[] | undefined): IdempotencyKeyReading {
  if (!occurrences || occurrences.length === 0) {
    return keyProblem('idempotency-key-missing', 'Idempotency-Key is missing', 'Send an Idempotency-Key header (a UUID is a good key) with every state-changing request.');
  }
  if (occurrences.length > 1) {
    return keyProblem('idempotency-key-invalid', 'Idempotency-Key is invalid', 'Send exactly one Idempotency-Key header.');
  }
  const key = occurrences[0] ?? '';
  if (key.trim() === '') return keyProblem('idempotency-key-invalid', 'Idempotency-Key is invalid', 'The Idempotency-Key header is empty.');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return keyProblem('idempotency-key-invalid', 'Idempotency-Key is invalid', `The Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`);
  }
  if (!PRINTABLE_ASCII.test(key)) return keyProblem('idempotency-key-invalid', 'Idempotency-Key is invalid', 'The Idempotency-Key must be printable ASCII.');
  return { ok: true, key };
}

/**
 * JSON with object keys sorted (recursively) and no insignificant whitespace, so that two bodies
 * that mean the same thing serialise alike whatever the client's key order or spacing. Array
 * order and every value still count. Strings and numbers are written as JSON.stringify writes them
 * (the serialisation RFC 8785 also uses).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text; // undefined, functions, symbols: not JSON, treated as null
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `/orders/:id` from a controller path and a method path, however their slashes were written. */
export function routeTemplate(...segments: (string | undefined)[]): string {
  const joined = segments
    .flatMap((s) => (s ?? '').split('/'))
    .filter((s) => s !== '')
    .join('/');
  return `/${joined}`;
}

/**
 * What a key is bound to (SPEC §5): method + route template + canonical body, hashed (SHA-256, hex)
 * so the stored row stays small whatever the body size. An absent body and `{}` differ.
 */
export function requestFingerprint(method: string, route: string, body: unknown): string {
  const canonicalBody = body === undefined ? '' : canonicalJson(body);
  return createHash('sha256').update(`${method.toUpperCase()}\n${route}\n${canonicalBody}`, 'utf8').digest('hex');
}
