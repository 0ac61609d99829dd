import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Verifies `Processor-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` (Stripe's scheme): each v1 is the
 * hex HMAC-SHA256 of "<t>.<raw body>". Any of our secrets matching any v1 passes, so either side
 * can rotate without a gap. The timestamp must be within the tolerance both ways: a replay of an
 * old delivery, or one stamped in the future, is refused.
 */
export function verifyWebhookSignature(header: string | undefined, rawBody: Buffer, secrets: readonly string[], nowSeconds: number, toleranceSeconds: number): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing Processor-Signature header' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) return { ok: false, reason: 'no timestamp in the signature header' };
  if (signatures.length === 0) return { ok: false, reason: 'no v1 signature in the signature header' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: `timestamp outside the ±${toleranceSeconds} s tolerance` };
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), rawBody]);
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(signed).digest();
    if (signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected))) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'no signature matches' };
}
