import { initiatePayment, Payment } from './payment';
import { ProcessorReport, reportMismatch } from './processor-report';

const payment: Payment = {
  ...initiatePayment({ orderId: 'b2a7c1d0-0000-4000-8000-000000000001', total: 2500, currency: 'EUR', paymentMethod: 'tok_visa_approve' }, 'pay_1'),
  status: 'AUTHORISED',
  authorisationId: 'auth_1',
};
const capture = { type: 'CAPTURE' as const, amount: 2500 };
const report = (overrides: Partial<ProcessorReport> = {}): ProcessorReport => ({
  operationType: 'CAPTURE',
  outcome: { result: 'succeeded', objectId: 'cap_1' },
  reference: 'pay_1',
  amount: 2500,
  currency: 'EUR',
  authorisationId: 'auth_1',
  ...overrides,
});

describe('a processor report about one of our operations', () => {
  it('is about the operation when kind, payment, amount, currency and authorisation all agree', () => {
    expect(reportMismatch(report(), capture, payment)).toBeUndefined();
    expect(reportMismatch(report({ authorisationId: undefined }), capture, payment)).toBeUndefined();
  });

  it.each<[string, Partial<ProcessorReport>, string]>([
    ['a report of another kind of movement', { operationType: 'AUTHORISE' }, 'type-mismatch'],
    ['another payment', { reference: 'pay_2' }, 'reference-mismatch'],
    ['another amount', { amount: 2499 }, 'amount-mismatch'],
    ['another currency', { currency: 'USD' }, 'currency-mismatch'],
    ['another authorisation', { authorisationId: 'auth_9' }, 'authorisation-mismatch'],
  ])('is not, when it names %s', (_what, overrides, reason) => {
    expect(reportMismatch(report(overrides), capture, payment)).toMatchObject({ reason });
  });

  it('of an authorisation, must name the authorisation it created', () => {
    const validated: Payment = { ...payment, status: 'VALIDATED', authorisationId: null };
    const authorise = { type: 'AUTHORISE' as const, amount: 2500 };
    const ok = report({ operationType: 'AUTHORISE', outcome: { result: 'succeeded', objectId: 'auth_5' }, authorisationId: 'auth_5' });
    expect(reportMismatch(ok, authorise, validated)).toBeUndefined();
    expect(reportMismatch({ ...ok, authorisationId: 'auth_6' }, authorise, validated)).toMatchObject({ reason: 'authorisation-mismatch' });
  });
});
