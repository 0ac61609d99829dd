import { signWebhook } from './webhook-signature';

// Vectors computed independently with
//   printf '%s' '1700000000.{"id":"evt_1","type":"capture.succeeded"}' | openssl dgst -sha256 -hmac <secret>
const BODY = '{"id":"evt_1","type":"capture.succeeded"}';
const CURRENT = '07887381ed947319cdc0c52114d3b8fc930f5d7c9e089fcd51db8b44c042775c';
const PREVIOUS = '5a6e02d30620b1796f320325da6c868a08ae778184108243abcfd7b50f3c3297';

describe('signWebhook', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256, hex encoded, Stripe style', () => {
    expect(signWebhook(['whsec_paystate_current'], 1700000000, BODY)).toBe(`t=1700000000,v1=${CURRENT}`);
  });

  it('adds one v1 per secret while a secret is rotated, in the order given', () => {
    expect(signWebhook(['whsec_paystate_current', 'whsec_paystate_previous'], 1700000000, BODY)).toBe(`t=1700000000,v1=${CURRENT},v1=${PREVIOUS}`);
  });

  it('signs the exact bytes: any change to the body or the time changes the signature', () => {
    const signature = signWebhook(['whsec_paystate_current'], 1700000000, BODY);
    expect(signWebhook(['whsec_paystate_current'], 1700000000, BODY.replace('evt_1', 'evt_2'))).not.toBe(signature);
    expect(signWebhook(['whsec_paystate_current'], 1700000001, BODY)).not.toContain(CURRENT);
  });

  it('needs a secret and whole seconds', () => {
    expect(() => signWebhook([], 1700000000, BODY)).toThrow(/secret/);
    expect(() => signWebhook(['s'], 1700000000.5, BODY)).toThrow(RangeError);
  });
});
