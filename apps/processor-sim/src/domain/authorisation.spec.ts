import { Authorisation, AuthorisationStatus, authorise, decideCapture, decideRefund, decideVoid } from './authorisation';
import { cardBehaviour } from './test-cards';

const now = new Date('2026-01-02T03:04:05Z');
const approve = cardBehaviour('tok_visa_approve');

/** An authorisation in a given state; override what the test is about. */
const anAuthorisation = (overrides: Partial<Authorisation> = {}): Authorisation => ({
  id: 'auth_1',
  reference: 'pay_1',
  paymentMethod: 'tok_visa_approve',
  amount: 1000,
  currency: 'EUR',
  status: 'authorised',
  declineCode: null,
  capturedAmount: 0,
  refundedAmount: 0,
  createdAt: now,
  ...overrides,
});

const captured = (overrides: Partial<Authorisation> = {}): Authorisation => anAuthorisation({ status: 'captured', capturedAmount: 1000, ...overrides });

describe('authorise', () => {
  const command = { amount: 1000, currency: 'EUR', paymentMethod: 'tok_visa_approve', reference: 'pay_1' };

  it('given an approving card, authorises the amount', () => {
    const decision = authorise(command, approve, { authorisationId: 'auth_1', now });
    expect(decision).toEqual({ kind: 'authorised', authorisation: anAuthorisation() });
  });

  it('given a declining card, records a declined authorisation with its decline code', () => {
    const decision = authorise({ ...command, paymentMethod: 'tok_decline' }, cardBehaviour('tok_decline'), { authorisationId: 'auth_1', now });
    expect(decision).toMatchObject({ kind: 'declined', authorisation: { status: 'declined', declineCode: 'generic_decline' }, decline: { code: 'card_declined' } });
  });
});

describe('capture', () => {
  it('given an authorisation, captures all of it by default', () => {
    expect(decideCapture(anAuthorisation(), undefined, approve)).toEqual({ kind: 'captured', amount: 1000, next: captured() });
  });

  it('given an authorisation, captures part of it when asked', () => {
    expect(decideCapture(anAuthorisation(), 400, approve)).toMatchObject({ kind: 'captured', amount: 400, next: { capturedAmount: 400, status: 'captured' } });
  });

  it('refuses more than was authorised', () => {
    expect(decideCapture(anAuthorisation(), 1001, approve)).toMatchObject({ kind: 'rejected', rejection: { reason: 'amount-too-large', requested: 1001, available: 1000 } });
  });

  it('given tok_capture_fails, fails and leaves the authorisation as it was', () => {
    expect(decideCapture(anAuthorisation({ paymentMethod: 'tok_capture_fails' }), undefined, cardBehaviour('tok_capture_fails'))).toEqual({ kind: 'capture-failed', amount: 1000 });
  });

  it.each<AuthorisationStatus>(['voided', 'captured', 'partially_refunded', 'refunded', 'declined'])('refuses a %s authorisation with invalid-state', (status) => {
    expect(decideCapture(anAuthorisation({ status }), undefined, approve)).toMatchObject({ kind: 'rejected', rejection: { reason: 'invalid-state', status } });
  });
});

describe('void', () => {
  it('given an authorisation, voids it', () => {
    expect(decideVoid(anAuthorisation(), approve)).toEqual({ kind: 'voided', next: anAuthorisation({ status: 'voided' }) });
  });

  it('given tok_void_fails, fails', () => {
    expect(decideVoid(anAuthorisation(), cardBehaviour('tok_void_fails'))).toEqual({ kind: 'void-failed' });
  });

  it('refuses a captured authorisation and hints at a refund', () => {
    expect(decideVoid(captured(), approve)).toMatchObject({ kind: 'rejected', rejection: { reason: 'invalid-state', status: 'captured', hint: 'refund' } });
  });

  it.each<AuthorisationStatus>(['voided', 'declined'])('refuses a %s authorisation without a hint', (status) => {
    const decision = decideVoid(anAuthorisation({ status }), approve);
    expect(decision).toMatchObject({ kind: 'rejected', rejection: { reason: 'invalid-state', status } });
    expect(decision.kind === 'rejected' && 'hint' in decision.rejection).toBe(false);
  });
});

describe('refund', () => {
  it('given a capture, refunds all of it by default', () => {
    expect(decideRefund(captured(), undefined, approve)).toEqual({ kind: 'refunded', amount: 1000, next: captured({ status: 'refunded', refundedAmount: 1000 }) });
  });

  it('given a capture, refunds in parts up to the captured amount', () => {
    const first = decideRefund(captured(), 300, approve);
    expect(first).toMatchObject({ kind: 'refunded', next: { status: 'partially_refunded', refundedAmount: 300 } });
    if (first.kind !== 'refunded') throw new Error('expected a refund');
    expect(decideRefund(first.next, 701, approve)).toMatchObject({ kind: 'rejected', rejection: { reason: 'amount-too-large', available: 700 } });
    expect(decideRefund(first.next, 700, approve)).toMatchObject({ kind: 'refunded', next: { status: 'refunded', refundedAmount: 1000 } });
  });

  it('refunds only what was captured, not what was authorised', () => {
    expect(decideRefund(captured({ capturedAmount: 600 }), 700, approve)).toMatchObject({ kind: 'rejected', rejection: { reason: 'amount-too-large', available: 600 } });
  });

  it('given tok_refund_fails, fails', () => {
    expect(decideRefund(captured(), undefined, cardBehaviour('tok_refund_fails'))).toEqual({ kind: 'refund-failed', amount: 1000 });
  });

  it.each<AuthorisationStatus>(['authorised', 'voided', 'declined', 'refunded'])('refuses a %s authorisation with invalid-state', (status) => {
    expect(decideRefund(anAuthorisation({ status, capturedAmount: status === 'refunded' ? 1000 : 0, refundedAmount: status === 'refunded' ? 1000 : 0 }), undefined, approve)).toMatchObject({
      kind: 'rejected',
      rejection: { reason: 'invalid-state', status },
    });
  });
});
