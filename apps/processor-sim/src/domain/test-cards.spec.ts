import { TEST_CARD_TOKEN, cardBehaviour } from './test-cards';

describe('test cards', () => {
  it.each([
    ['tok_visa_approve', { slow: false, captureFails: false, voidFails: false, refundFails: false }],
    ['tok_capture_fails', { slow: false, captureFails: true, voidFails: false, refundFails: false }],
    ['tok_void_fails', { slow: false, captureFails: false, voidFails: true, refundFails: false }],
    ['tok_refund_fails', { slow: false, captureFails: false, voidFails: false, refundFails: true }],
    ['tok_slow', { slow: true, captureFails: false, voidFails: false, refundFails: false }],
  ])('%s approves the authorisation with the documented behaviour', (token, expected) => {
    expect(cardBehaviour(token)).toEqual(expected);
  });

  it('tok_decline declines with card_declined / generic_decline', () => {
    expect(cardBehaviour('tok_decline').decline).toEqual({ code: 'card_declined', declineCode: 'generic_decline', detail: expect.any(String) });
  });

  it('tok_insufficient_funds declines with insufficient_funds', () => {
    expect(cardBehaviour('tok_insufficient_funds').decline).toMatchObject({ code: 'insufficient_funds', declineCode: 'insufficient_funds' });
  });

  it('approves every other tok_ token, including names of Object.prototype', () => {
    for (const token of ['tok_mastercard', 'tok_anything_else', 'toString', 'constructor']) {
      expect(cardBehaviour(token)).toEqual({ slow: false, captureFails: false, voidFails: false, refundFails: false });
    }
  });

  it('accepts only tok_ tokens', () => {
    expect(TEST_CARD_TOKEN.test('tok_visa_approve')).toBe(true);
    expect(TEST_CARD_TOKEN.test('pm_card_visa')).toBe(false);
    expect(TEST_CARD_TOKEN.test('tok_')).toBe(false);
    expect(TEST_CARD_TOKEN.test('tok_a b')).toBe(false);
  });
});
