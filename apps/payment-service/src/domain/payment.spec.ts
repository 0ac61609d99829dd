import {
  Payment,
  PaymentStatus,
  TRANSITIONS,
  applyOutcome,
  canTransition,
  initiatePayment,
  isRejection,
  operationUnresolved,
  requestCapture,
  requestRefund,
  requestVoid,
  validatePayment,
} from './payment';

const aPayment = (overrides: Partial<Payment> = {}): Payment => ({
  ...initiatePayment({ orderId: 'b2a7c1d0-0000-4000-8000-000000000001', total: 2699, currency: 'EUR', paymentMethod: 'tok_visa_approve' }, 'b2a7c1d0-0000-4000-8000-0000000000aa'),
  ...overrides,
});
const succeeded = (objectId: string) => ({ result: 'succeeded' as const, objectId });
const failed = (code: string) => ({ result: 'failed' as const, code, detail: code });

describe('payment decider', () => {
  describe('given an order was placed', () => {
    it('then the payment starts INITIATED for the order total', () => {
      expect(aPayment()).toMatchObject({ status: 'INITIATED', amount: 2699, currency: 'EUR', refundedAmount: 0, version: 1 });
    });

    it('when validated, then it is VALIDATED with an AUTHORISE operation for the full amount', () => {
      expect(validatePayment(aPayment())).toEqual({ status: 'VALIDATED', facts: [], operation: { type: 'AUTHORISE', amount: 2699, reason: 'ORDER_PLACED' } });
    });

    it('when the payment method is not a processor token, then it FAILS validation (C1)', () => {
      expect(validatePayment(aPayment({ paymentMethod: '4111111111111111' }))).toEqual({
        status: 'FAILED',
        facts: [{ kind: 'failed', reason: 'VALIDATION_FAILED', detail: 'payment method must be a processor token' }],
      });
    });
  });

  describe('given a VALIDATED payment with an authorisation in flight', () => {
    const validated = aPayment({ status: 'VALIDATED' });
    const authorise = { type: 'AUTHORISE' as const, amount: 2699, reason: 'ORDER_PLACED' as const };

    it('when the processor authorises, then AUTHORISED with the authorisation id and PaymentAuthorised', () => {
      expect(applyOutcome(validated, authorise, succeeded('auth_1'))).toEqual({
        status: 'AUTHORISED',
        changes: { authorisationId: 'auth_1' },
        facts: [{ kind: 'authorised', authorisationId: 'auth_1' }],
      });
    });

    it('when the processor declines, then FAILED with the decline code (C1)', () => {
      expect(applyOutcome(validated, authorise, failed('insufficient_funds'))).toMatchObject({
        status: 'FAILED',
        facts: [{ kind: 'failed', reason: 'DECLINED', code: 'insufficient_funds' }],
      });
    });

    it('when the same success arrives again (a webhook after our own call), then nothing changes', () => {
      const authorised = aPayment({ status: 'AUTHORISED', authorisationId: 'auth_1' });
      expect(applyOutcome(authorised, authorise, succeeded('auth_1'))).toEqual({ facts: [] });
    });
  });

  describe('given an AUTHORISED payment', () => {
    const authorised = aPayment({ status: 'AUTHORISED', authorisationId: 'auth_1' });

    it('when stock is reserved, then a CAPTURE operation starts', () => {
      expect(requestCapture(authorised)).toEqual({ facts: [], operation: { type: 'CAPTURE', amount: 2699, reason: 'STOCK_RESERVED' } });
    });

    it('when the capture succeeds, then CAPTURED', () => {
      expect(applyOutcome(authorised, { type: 'CAPTURE', amount: 2699, reason: 'STOCK_RESERVED' }, succeeded('cap_1'))).toMatchObject({ status: 'CAPTURED', changes: { captureId: 'cap_1' } });
    });

    it('when the capture fails, then the payment stays AUTHORISED and a VOID starts (C3)', () => {
      expect(applyOutcome(authorised, { type: 'CAPTURE', amount: 2699, reason: 'STOCK_RESERVED' }, failed('capture_failed'))).toEqual({
        facts: [],
        operation: { type: 'VOID', amount: 2699, reason: 'CAPTURE_FAILED' },
      });
    });

    it('when stock is unavailable, then a VOID starts (C2), and its success makes it VOIDED', () => {
      expect(requestVoid(authorised, 'STOCK_UNAVAILABLE')).toEqual({ facts: [], operation: { type: 'VOID', amount: 2699, reason: 'STOCK_UNAVAILABLE' } });
      expect(applyOutcome(authorised, { type: 'VOID', amount: 2699, reason: 'STOCK_UNAVAILABLE' }, succeeded('void_1'))).toEqual({
        status: 'VOIDED',
        facts: [{ kind: 'voided', reason: 'STOCK_UNAVAILABLE' }],
      });
    });

    it('when the void fails, then REQUIRES_REVIEW (C5)', () => {
      expect(applyOutcome(authorised, { type: 'VOID', amount: 2699, reason: 'CAPTURE_FAILED' }, failed('void_failed'))).toMatchObject({
        status: 'REQUIRES_REVIEW',
        facts: [{ kind: 'requires-review', operationType: 'VOID' }],
      });
    });

    it('when asked to refund, then it is refused: void it instead', () => {
      expect(requestRefund(authorised, 100, 'OPERATOR')).toEqual({ rejected: true, reason: 'cannot refund an AUTHORISED payment: void it' });
    });
  });

  describe('given a CAPTURED payment', () => {
    const captured = aPayment({ status: 'CAPTURED', authorisationId: 'auth_1', captureId: 'cap_1' });

    it('when asked to void, then it is refused: refund it instead', () => {
      expect(requestVoid(captured, 'ORDER_CANCELLED')).toEqual({ rejected: true, reason: 'cannot void a CAPTURED payment: refund it' });
    });

    it('when the shipment fails, then a full REFUND starts (C4) and its success makes it REFUNDED', () => {
      expect(requestRefund(captured, 2699, 'SHIPMENT_FAILED')).toEqual({ facts: [], operation: { type: 'REFUND', amount: 2699, reason: 'SHIPMENT_FAILED' } });
      expect(applyOutcome(captured, { type: 'REFUND', amount: 2699, reason: 'SHIPMENT_FAILED' }, succeeded('ref_1'))).toEqual({
        status: 'REFUNDED',
        changes: { refundedAmount: 2699 },
        facts: [{ kind: 'refunded', refundId: 'ref_1', amount: 2699, refundedTotal: 2699, reason: 'SHIPMENT_FAILED' }],
      });
    });

    it('when part is refunded, then PARTIALLY_REFUNDED, and more than what is left is refused', () => {
      expect(applyOutcome(captured, { type: 'REFUND', amount: 699, reason: 'OPERATOR' }, succeeded('ref_1'))).toMatchObject({ status: 'PARTIALLY_REFUNDED', changes: { refundedAmount: 699 } });
      const partly = aPayment({ status: 'PARTIALLY_REFUNDED', refundedAmount: 2000 });
      expect(isRejection(requestRefund(partly, 700, 'OPERATOR'))).toBe(true);
      expect(isRejection(requestRefund(partly, 699, 'OPERATOR'))).toBe(false);
    });

    it('when the refund fails, then REQUIRES_REVIEW (C5)', () => {
      expect(applyOutcome(captured, { type: 'REFUND', amount: 2699, reason: 'SHIPMENT_FAILED' }, failed('refund_failed'))).toMatchObject({ status: 'REQUIRES_REVIEW' });
    });
  });

  describe('illegal transitions', () => {
    it.each<[PaymentStatus, PaymentStatus]>([
      ['INITIATED', 'CAPTURED'],
      ['VALIDATED', 'CAPTURED'],
      ['AUTHORISED', 'REFUNDED'],
      ['CAPTURED', 'VOIDED'],
      ['VOIDED', 'AUTHORISED'],
      ['FAILED', 'VALIDATED'],
      ['REFUNDED', 'CAPTURED'],
    ])('%s → %s is refused', (from, to) => {
      expect(canTransition(from, to)).toBe(false);
    });

    it('every decision of the decider is a legal transition', () => {
      const cases: [Payment, ReturnType<typeof applyOutcome>][] = [
        [aPayment({ status: 'VALIDATED' }), applyOutcome(aPayment({ status: 'VALIDATED' }), { type: 'AUTHORISE', amount: 1, reason: 'ORDER_PLACED' }, succeeded('a'))],
        [aPayment({ status: 'AUTHORISED' }), applyOutcome(aPayment({ status: 'AUTHORISED' }), { type: 'VOID', amount: 1, reason: 'CAPTURE_FAILED' }, failed('x'))],
      ];
      for (const [before, decision] of cases) {
        if (decision.status) expect(TRANSITIONS[before.status]).toContain(decision.status);
      }
    });

    it('terminal states accept nothing', () => {
      for (const terminal of ['FAILED', 'VOIDED', 'REFUNDED'] as const) expect(TRANSITIONS[terminal]).toEqual([]);
    });

    it('an outcome still unknown at its deadline sends a live payment to review, and leaves a terminal one alone', () => {
      expect(operationUnresolved(aPayment({ status: 'VALIDATED' }), 'AUTHORISE')).toMatchObject({ status: 'REQUIRES_REVIEW' });
      expect(operationUnresolved(aPayment({ status: 'VOIDED' }), 'VOID')).toEqual({ facts: [] });
    });
  });
});
