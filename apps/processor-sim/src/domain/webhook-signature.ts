// HMAC is a pure function of its inputs (no clock, randomness or I/O), so the domain may use the
// platform's implementation rather than carry its own.
// eslint-disable-next-line no-restricted-imports
import { createHmac } from 'node:crypto';

/** The header that carries the signatures, as Stripe's `Stripe-Signature`. */
export const SIGNATURE_HEADER = 'Processor-Signature';

/**
 * Signs a webhook like Stripe: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
 * one `v1=` per secret so that a receiver holding either the old or the new secret verifies it
 * while a secret is rotated. The raw body is signed byte for byte: the receiver must verify the
 * bytes it received, before parsing them.
 */
export function signWebhook(secrets: readonly string[], t: number, rawBody: string): string {
  if (secrets.length === 0) throw new Error('signWebhook needs at least one secret');
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`the timestamp must be whole unix seconds, got ${t}`);
  const signed = `${t}.${rawBody}`;
  return [`t=${t}`, ...secrets.map((secret) => `v1=${createHmac('sha256', secret).update(signed, 'utf8').digest('hex')}`)].join(',');
}
