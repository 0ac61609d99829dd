import { createHmac } from 'node:crypto';
import { verifyWebhookSignature } from './webhook-signature';

const body = Buffer.from('{"id":"evt_1","type":"authorisation.succeeded"}');
const sign = (secret: string, t: number, raw = body) => createHmac('sha256', secret).update(`${t}.${raw.toString('utf8')}`).digest('hex');
const now = 1_795_000_000;

describe('verifyWebhookSignature', () => {
  it('accepts a fresh signature made with our secret', () => {
    expect(verifyWebhookSignature(`t=${now},v1=${sign('whsec_a', now)}`, body, ['whsec_a'], now + 10, 300)).toEqual({ ok: true, timestamp: now });
  });

  it('matches this known vector (HMAC-SHA256 of "t.body")', () => {
    expect(sign('whsec_test', 1_700_000_000, Buffer.from('{}'))).toBe(createHmac('sha256', 'whsec_test').update('1700000000.{}').digest('hex'));
  });

  it('accepts any of several v1 signatures and any of our secrets (rotation)', () => {
    const header = `t=${now},v1=${sign('whsec_old', now)},v1=${sign('whsec_new', now)}`;
    expect(verifyWebhookSignature(header, body, ['whsec_new'], now, 300).ok).toBe(true);
    expect(verifyWebhookSignature(`t=${now},v1=${sign('whsec_old', now)}`, body, ['whsec_new', 'whsec_old'], now, 300).ok).toBe(true);
  });

  it('refuses a signature over a different body', () => {
    expect(verifyWebhookSignature(`t=${now},v1=${sign('whsec_a', now)}`, Buffer.from('{"id":"evt_2"}'), ['whsec_a'], now, 300)).toEqual({ ok: false, reason: 'no signature matches' });
  });

  it('refuses a stale or a future timestamp', () => {
    expect(verifyWebhookSignature(`t=${now - 301},v1=${sign('whsec_a', now - 301)}`, body, ['whsec_a'], now, 300).ok).toBe(false);
    expect(verifyWebhookSignature(`t=${now + 301},v1=${sign('whsec_a', now + 301)}`, body, ['whsec_a'], now, 300).ok).toBe(false);
  });

  it('refuses a missing or malformed header', () => {
    expect(verifyWebhookSignature(undefined, body, ['whsec_a'], now, 300).ok).toBe(false);
    expect(verifyWebhookSignature('v1=abc', body, ['whsec_a'], now, 300).ok).toBe(false);
    expect(verifyWebhookSignature(`t=${now}`, body, ['whsec_a'], now, 300).ok).toBe(false);
  });
});
