import { ProcessorWebhook, readReport } from './processor-webhooks';

const OP = '0b9f4a52-6c1e-4f4e-9a39-5c7f0f6a1b2c';
const webhook = (type: string, data: Record<string, unknown> = {}): ProcessorWebhook => ({
  id: 'evt_1',
  type,
  created: 1_700_000_000,
  data: { operationId: OP, reference: 'pay_1', objectId: 'obj_1', authorisationId: 'auth_1', amount: 2500, currency: 'EUR', ...data },
});

describe('reading a processor webhook', () => {
  it.each([
    ['authorisation.succeeded', 'AUTHORISE', 'succeeded'],
    ['authorisation.declined', 'AUTHORISE', 'failed'],
    ['authorisation.failed', 'AUTHORISE', 'failed'],
    ['capture.succeeded', 'CAPTURE', 'succeeded'],
    ['capture.failed', 'CAPTURE', 'failed'],
    ['void.succeeded', 'VOID', 'succeeded'],
    ['void.failed', 'VOID', 'failed'],
    ['refund.succeeded', 'REFUND', 'succeeded'],
    ['refund.failed', 'REFUND', 'failed'],
  ])('%s reports the outcome of a %s operation (%s)', (type, operationType, result) => {
    expect(readReport(webhook(type))).toMatchObject({ operationId: OP, report: { operationType, outcome: { result }, reference: 'pay_1', amount: 2500, currency: 'EUR' } });
  });

  it('carries the decline code of a failure', () => {
    expect(readReport(webhook('authorisation.declined', { declineCode: 'insufficient_funds' }))).toMatchObject({ report: { outcome: { result: 'failed', code: 'insufficient_funds' } } });
  });

  it.each(['payout.succeeded', 'charge.failed', 'dispute.created', 'capture.declined', 'refund.updated', 'authorisation.succeeded.extra', 'succeeded'])('ignores %s: not a report of an outcome of ours', (type) => {
    expect(readReport(webhook(type))).toMatchObject({ ignored: 'unknown-type' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['no operation', { operationId: undefined }],
    ['an operation that is not one of our ids', { operationId: 'op_1' }],
    ['no reference', { reference: undefined }],
    ['an amount that is not an integer', { amount: '25.00' }],
    ['no currency', { currency: undefined }],
    ['a success without an object id', { objectId: undefined }],
  ])('ignores a report with %s as malformed', (_what, data) => {
    expect(readReport(webhook('capture.succeeded', data))).toMatchObject({ ignored: 'malformed' });
  });
});
