import { formatMoney } from './money';
import { cancellationInPlainWords, orderReference, renderMail } from './templates';

const orderId = '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10';

describe('formatMoney', () => {
  it.each([
    [2500, 'EUR', 'EUR 25.00'],
    [5, 'EUR', 'EUR 0.05'],
    [123456789, 'USD', 'USD 1,234,567.89'],
    [1200, 'JPY', 'JPY 1,200'],
    [12345, 'BHD', 'BHD 12.345'],
  ])('%d minor units of %s read %s', (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });
});

describe('templates', () => {
  it('ORDER_CONFIRMED names the order and the amount', () => {
    const mail = renderMail({ kind: 'ORDER_CONFIRMED', orderId, total: 2500, currency: 'EUR' });
    expect(mail.subject).toBe('Your order 0B6F7C3E is confirmed');
    expect(mail.text).toContain('EUR 25.00');
    expect(mail.html).toContain('EUR 25.00');
  });

  it('ORDER_DISPATCHED gives the carrier and the tracking number', () => {
    const mail = renderMail({ kind: 'ORDER_DISPATCHED', orderId, carrier: 'paystate-post', trackingNumber: 'PS1F2E' });
    expect(mail.subject).toBe('Your order 0B6F7C3E is on its way');
    expect(mail.text).toContain('paystate-post');
    expect(mail.text).toContain('Tracking number: PS1F2E');
  });

  it('ORDER_CANCELLED says why in plain words, and that nothing was charged', () => {
    const mail = renderMail({ kind: 'ORDER_CANCELLED', orderId, reason: 'OUT_OF_STOCK', refunded: false });
    expect(mail.subject).toBe('Your order 0B6F7C3E has been cancelled');
    expect(mail.text).toContain('some of the items you ordered are out of stock');
    expect(mail.text).toContain('You have not been charged');
    expect(mail.text).not.toContain('OUT_OF_STOCK');
  });

  it('ORDER_CANCELLED after a capture says the money was refunded', () => {
    const mail = renderMail({ kind: 'ORDER_CANCELLED', orderId, reason: 'SHIPMENT_FAILED', refunded: true });
    expect(mail.text).toContain('our carrier could not ship your order');
    expect(mail.text).toContain('has been refunded');
  });

  it.each(['PAYMENT_DECLINED', 'PAYMENT_INVALID', 'OUT_OF_STOCK', 'CAPTURE_FAILED', 'SHIPMENT_FAILED'] as const)('%s has its own plain wording', (reason) => {
    expect(cancellationInPlainWords(reason)).not.toMatch(/[A-Z]{2,}_/);
  });

  it('PAYMENT_REFUNDED formats the amount with the currency minor units', () => {
    const mail = renderMail({ kind: 'PAYMENT_REFUNDED', orderId, amount: 1200, refundedTotal: 1200, currency: 'JPY', reason: 'OPERATOR' });
    expect(mail.subject).toBe('We have refunded JPY 1,200 for order 0B6F7C3E');
    expect(mail.text).not.toContain('In total');
  });

  it('a partial refund also says how much has been refunded in total', () => {
    const mail = renderMail({ kind: 'PAYMENT_REFUNDED', orderId, amount: 500, refundedTotal: 1500, currency: 'EUR', reason: 'OPERATOR' });
    expect(mail.text).toContain('In total, EUR 15.00 has now been refunded');
  });

  it('HTML escapes what comes from events', () => {
    const mail = renderMail({ kind: 'ORDER_DISPATCHED', orderId, carrier: '<script>x</script>', trackingNumber: 'A&B' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toContain('A&amp;B');
  });

  it('the same input renders the same bytes (a resend is identical)', () => {
    const input = { kind: 'ORDER_CONFIRMED', orderId, total: 1, currency: 'EUR' } as const;
    expect(renderMail(input)).toEqual(renderMail(input));
  });

  it('the order reference is the first 8 characters of its id', () => {
    expect(orderReference(orderId)).toBe('0B6F7C3E');
  });
});
