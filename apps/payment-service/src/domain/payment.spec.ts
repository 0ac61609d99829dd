import {
  Payment,
  PaymentStatus,
  TRANSITIONS,
  applyOutcome,
  canTransition,
  initiatePayment,
  isRejection,
  operationUnresolved,
  refundableRemainder,
  requestCapture,
  resolveReview,
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
    const authorise = { id: 'op_1', type: 'AUTHORISE' as const, amount: 2699, reason: 'ORDER_PLACED' as const };

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
      expect(applyOutcome(authorised, { id: 'op_1', type: 'CAPTURE', amount: 2699, reason: 'STOCK_RESERVED' }, succeeded('cap_1'))).toMatchObject({ status: 'CAPTURED', changes: { captureId: 'cap_1' } });
    });

    it('when the capture fails, then the payment stays AUTHORISED and a VOID starts (C3)', () => {
      expect(applyOutcome(authorised, { id: 'op_1', type: 'CAPTURE', amount: 2699, reason: 'STOCK_RESERVED' }, failed('capture_failed'))).toEqual({
        facts: [],
        operation: { type: 'VOID', amount: 2699, reason: 'CAPTURE_FAILED' },
      });
    });

    it('when stock is unavailable, then a VOID starts (C2), and its success makes it VOIDED', () => {
      expect(requestVoid(authorised, 'STOCK_UNAVAILABLE')).toEqual({ facts: [], operation: { type: 'VOID', amount: 2699, reason: 'STOCK_UNAVAILABLE' } });
      expect(applyOutcome(authorised, { id: 'op_1', type: 'VOID', amount: 2699, reason: 'STOCK_UNAVAILABLE' }, succeeded('void_1'))).toEqual({
        status: 'VOIDED',
        facts: [{ kind: 'voided', reason: 'STOCK_UNAVAILABLE' }],
      });
    });

    it('when the void fails, then REQUIRES_REVIEW (C5)', () => {
      expect(applyOutcome(authorised, { id: 'op_1', type: 'VOID', amount: 2699, reason: 'CAPTURE_FAILED' }, failed('void_failed'))).toMatchObject({
        status: 'REQUIRES_REVIEW',
        facts: [{ kind: 'requires-review', operationType: 'VOID' }],
      });
    });

    it('when asked to refund, then it is refused: void it instead', () => {
      expect(requestRefund(authorised, 100, 'OPERATOR')).toEqual({ rejected: true, code: 'invalid-state', reason: 'cannot refund an AUTHORISED payment: void it' });
    });
  });

  describe('given a CAPTURED payment', () => {
    const captured = aPayment({ status: 'CAPTURED', authorisationId: 'auth_1', captureId: 'cap_1' });

    it('when asked to void, then it is refused: refund it instead', () => {
      expect(requestVoid(captured, 'ORDER_CANCELLED')).toEqual({ rejected: true, code: 'invalid-state', reason: 'cannot void a CAPTURED payment: refund it' });
    });

    it('when the shipment fails, then a full REFUND starts (C4) and its success makes it REFUNDED', () => {
      expect(requestRefund(captured, 2699, 'SHIPMENT_FAILED')).toEqual({ facts: [], operation: { type: 'REFUND', amount: 2699, reason: 'SHIPMENT_FAILED' } });
      expect(applyOutcome(captured, { id: 'op_1', type: 'REFUND', amount: 2699, reason: 'SHIPMENT_FAILED' }, succeeded('ref_1'))).toEqual({
        status: 'REFUNDED',
        changes: { refundedAmount: 2699 },
        facts: [{ kind: 'refunded', refundId: 'ref_1', amount: 2699, refundedTotal: 2699, reason: 'SHIPMENT_FAILED' }],
      });
    });

    it('when part is refunded, then PARTIALLY_REFUNDED, and more than what is left is refused', () => {
      expect(applyOutcome(captured, { id: 'op_1', type: 'REFUND', amount: 699, reason: 'OPERATOR' }, succeeded('ref_1'))).toMatchObject({ status: 'PARTIALLY_REFUNDED', changes: { refundedAmount: 699 } });
      const partly = aPayment({ status: 'PARTIALLY_REFUNDED', refundedAmount: 2000 });
      expect(isRejection(requestRefund(partly, 700, 'OPERATOR'))).toBe(true);
      expect(isRejection(requestRefund(partly, 699, 'OPERATOR'))).toBe(false);
    });

    it('when the refund fails, then REQUIRES_REVIEW (C5)', () => {
      expect(applyOutcome(captured, { id: 'op_1', type: 'REFUND', amount: 2699, reason: 'SHIPMENT_FAILED' }, failed('refund_failed'))).toMatchObject({ status: 'REQUIRES_REVIEW' });
    });
  });

  describe('given a PARTIALLY_REFUNDED payment (issue 8: a second partial refund was lost)', () => {
    const partly = aPayment({ amount: 10_000, status: 'PARTIALLY_REFUNDED', authorisationId: 'auth_1', captureId: 'cap_1', refundedAmount: 3000 });
    const refund = (amount: number) => ({ id: 'op_2', type: 'REFUND' as const, amount, reason: 'OPERATOR' as const });

    it('when a second partial refund succeeds, then the decision names its status, so the amount is written with a new version', () => {
      expect(applyOutcome(partly, refund(3000), succeeded('ref_2'))).toEqual({
        status: 'PARTIALLY_REFUNDED',
        changes: { refundedAmount: 6000 },
        facts: [{ kind: 'refunded', refundId: 'ref_2', amount: 3000, refundedTotal: 6000, reason: 'OPERATOR' }],
      });
      expect(canTransition('PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED')).toBe(true);
    });

    it('when the rest is refunded, then REFUNDED', () => {
      expect(applyOutcome(partly, refund(7000), succeeded('ref_2'))).toMatchObject({ status: 'REFUNDED', changes: { refundedAmount: 10_000 } });
    });

    it('when asked for more than is left, counting what is in flight, then it is refused as exceeding what was captured', () => {
      expect(requestRefund(partly, 7000, 'OPERATOR')).toMatchObject({ operation: { type: 'REFUND', amount: 7000 } });
      expect(requestRefund(partly, 7000, 'OPERATOR', 3000)).toEqual({
        rejected: true,
        code: 'exceeds-refundable',
        reason: 'refund of 7000 exceeds what is left to refund (4000 of 10000 captured, 3000 refunded, with 3000 in flight)',
      });
      expect(refundableRemainder(partly, 3000)).toBe(4000);
      expect(requestRefund(partly, 0, 'OPERATOR')).toMatchObject({ rejected: true, code: 'invalid-amount' });
    });

    it('when the processor reports refunding more than was captured, then a person must look, and nothing is written beyond the amount', () => {
      expect(applyOutcome(partly, refund(8000), succeeded('ref_2'))).toMatchObject({ status: 'REQUIRES_REVIEW', changes: { review: { from: 'PARTIALLY_REFUNDED', operationId: 'op_2' } } });
    });
  });

  describe('given a payment under review', () => {
    const voidFailed = aPayment({ status: 'REQUIRES_REVIEW', authorisationId: 'auth_1', review: { from: 'AUTHORISED', operationId: 'op_void' } });
    const refundFailed = aPayment({ amount: 10_000, status: 'REQUIRES_REVIEW', authorisationId: 'auth_1', captureId: 'cap_1', review: { from: 'CAPTURED', operationId: 'op_ref' } });
    const voidOp = { id: 'op_void', type: 'VOID' as const, amount: 2699, reason: 'STOCK_UNAVAILABLE' as const };

    it('entering it records what is underneath and the operation it waits for', () => {
      const authorised = aPayment({ status: 'AUTHORISED', authorisationId: 'auth_1' });
      expect(applyOutcome(authorised, voidOp, failed('void_failed'))).toEqual({
        status: 'REQUIRES_REVIEW',
        changes: { review: { from: 'AUTHORISED', operationId: 'op_void' } },
        facts: [{ kind: 'requires-review', reason: 'VOID failed at the processor: void_failed', operationType: 'VOID' }],
      });
    });

    it('when the operation under review succeeds, then it leaves review to where the outcome leads', () => {
      expect(applyOutcome(voidFailed, voidOp, succeeded('void_1'))).toEqual({
        status: 'VOIDED',
        changes: { review: null },
        facts: [{ kind: 'voided', reason: 'STOCK_UNAVAILABLE' }],
      });
    });

    it('when another refund succeeds meanwhile, then the money it moved is recorded and the payment stays under review', () => {
      expect(applyOutcome(refundFailed, { id: 'op_other', type: 'REFUND', amount: 4000, reason: 'OPERATOR' }, succeeded('ref_9'))).toEqual({
        status: 'REQUIRES_REVIEW',
        changes: { refundedAmount: 4000, review: { from: 'PARTIALLY_REFUNDED', operationId: 'op_ref' } },
        facts: [{ kind: 'refunded', refundId: 'ref_9', amount: 4000, refundedTotal: 4000, reason: 'OPERATOR' }],
      });
    });

    it('when the operation under review fails again, then it stays under review and the alert fires again', () => {
      expect(applyOutcome(voidFailed, voidOp, failed('void_failed'))).toMatchObject({ status: 'REQUIRES_REVIEW', changes: { review: { from: 'AUTHORISED', operationId: 'op_void' } }, facts: [{ kind: 'requires-review' }] });
    });

    it('a late answer about an operation that does not apply underneath changes nothing', () => {
      expect(applyOutcome(voidFailed, { id: 'op_auth', type: 'AUTHORISE', amount: 2699, reason: 'ORDER_PLACED' }, succeeded('auth_2'))).toEqual({ facts: [] });
    });

    describe('when a person resolves it', () => {
      const ids = { replacementId: 'op_new', inFlightRefunds: 0 };
      const reviewed = (status: 'FAILED' | 'UNKNOWN' | 'SUCCEEDED', op: { id: string; type: 'VOID' | 'REFUND'; amount: number; reason: 'STOCK_UNAVAILABLE' | 'SHIPMENT_FAILED' }) => ({ ...op, status });

      it('a retry of an outcome still unknown asks again with the same key', () => {
        expect(resolveReview(voidFailed, reviewed('UNKNOWN', voidOp), { action: 'retry' }, ids)).toEqual({ kind: 'rearm' });
      });

      it('a retry of a failure is a new operation the review now waits for', () => {
        expect(resolveReview(voidFailed, reviewed('FAILED', voidOp), { action: 'retry' }, ids)).toEqual({
          kind: 'replace',
          decision: {
            status: 'REQUIRES_REVIEW',
            changes: { review: { from: 'AUTHORISED', operationId: 'op_new' } },
            facts: [],
            operation: { type: 'VOID', amount: 2699, reason: 'STOCK_UNAVAILABLE', id: 'op_new', origin: 'processor-call' },
          },
        });
      });

      it('an outcome found at the processor for an unknown operation is recorded for that operation', () => {
        expect(resolveReview(voidFailed, reviewed('UNKNOWN', voidOp), { action: 'record-outcome', outcome: succeeded('void_7') }, ids)).toEqual({ kind: 'record', outcome: succeeded('void_7') });
      });

      it('a success found at the processor for a failed operation (done there by hand) is recorded as an operation of its own', () => {
        expect(resolveReview(voidFailed, reviewed('FAILED', voidOp), { action: 'record-outcome', outcome: succeeded('void_7') }, ids)).toMatchObject({
          kind: 'replace',
          outcome: succeeded('void_7'),
          decision: { operation: { type: 'VOID', id: 'op_new', origin: 'operator-record' } },
        });
      });

      it('is refused when there is nothing to resolve, the outcome is known, or a refund would exceed what is left', () => {
        expect(resolveReview(aPayment({ status: 'AUTHORISED' }), undefined, { action: 'retry' }, ids)).toMatchObject({ rejected: true, code: 'not-in-review' });
        expect(resolveReview(voidFailed, undefined, { action: 'retry' }, ids)).toMatchObject({ rejected: true, code: 'not-in-review' });
        expect(resolveReview(voidFailed, reviewed('SUCCEEDED', voidOp), { action: 'retry' }, ids)).toMatchObject({ rejected: true, code: 'outcome-known' });
        expect(resolveReview(voidFailed, reviewed('FAILED', voidOp), { action: 'record-outcome', outcome: failed('void_failed') }, ids)).toMatchObject({ rejected: true, code: 'outcome-known' });
        const refund = reviewed('FAILED', { id: 'op_ref', type: 'REFUND', amount: 10_000, reason: 'SHIPMENT_FAILED' });
        expect(resolveReview(refundFailed, refund, { action: 'retry' }, { ...ids, inFlightRefunds: 1 })).toMatchObject({ rejected: true, code: 'exceeds-refundable' });
        expect(resolveReview(refundFailed, refund, { action: 'retry' }, ids)).toMatchObject({ kind: 'replace' });
      });
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
        [aPayment({ status: 'VALIDATED' }), applyOutcome(aPayment({ status: 'VALIDATED' }), { id: 'op_1', type: 'AUTHORISE', amount: 1, reason: 'ORDER_PLACED' }, succeeded('a'))],
        [aPayment({ status: 'AUTHORISED' }), applyOutcome(aPayment({ status: 'AUTHORISED' }), { id: 'op_1', type: 'VOID', amount: 1, reason: 'CAPTURE_FAILED' }, failed('x'))],
      ];
      for (const [before, decision] of cases) {
        if (decision.status) expect(TRANSITIONS[before.status]).toContain(decision.status);
      }
    });

    it('terminal states accept nothing', () => {
      for (const terminal of ['FAILED', 'VOIDED', 'REFUNDED'] as const) expect(TRANSITIONS[terminal]).toEqual([]);
    });

    it('an outcome still unknown at its deadline sends a live payment to review, and leaves a terminal one alone', () => {
      expect(operationUnresolved(aPayment({ status: 'VALIDATED' }), { id: 'op_1', type: 'AUTHORISE' })).toMatchObject({ status: 'REQUIRES_REVIEW' });
      expect(operationUnresolved(aPayment({ status: 'VOIDED' }), { id: 'op_1', type: 'VOID' })).toEqual({ facts: [] });
    });
  });
});
