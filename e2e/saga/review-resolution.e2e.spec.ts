import { randomUUID } from 'node:crypto';
import { apiHeaders, createApiKey, queryAsSuperuser, requestJson, waitFor } from '@paystate/testing';
import { PaymentView, Saga, uniqueSku, unshippableSku } from './support/saga';

/**
 * A person resolves a payment in REQUIRES_REVIEW (issue 8), for each C5 variant, on the whole
 * stack: the operation under review gets its outcome (asked again, or recorded from the
 * processor's own records), the payment leaves review, and the saga goes on from there in every
 * service: the order is cancelled with its reason, the stock released, the ledger reversed and
 * the customer told. Unknown outcomes reach their deadline quickly here (3 s).
 */
const saga = new Saga();
const AMOUNT = 2500;

beforeAll(async () => {
  await saga.start({ 'payment-service': { PAYMENT_OPERATION_DEADLINE_MS: '3000' } });
});

afterAll(async () => {
  await saga.stop();
});

afterEach(async () => {
  await saga.nemesis.processor().clear();
});

async function paymentUnderReview(orderId: string): Promise<PaymentView> {
  return waitFor(`payment of ${orderId} to be under review`, async () => {
    const p = await saga.payment(orderId);
    return p?.status === 'REQUIRES_REVIEW' ? p : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300 });
}

const transitions = (paymentId: string) =>
  queryAsSuperuser<{ from_status: string | null; to_status: string; version: number; cause_type: string; note: string | null }>(
    'paystate_payment',
    'SELECT from_status, to_status, version, cause_type, note FROM payment_transition WHERE payment_id = $1 ORDER BY version',
    [paymentId],
  );

async function emailsSent(orderId: string, count: number): Promise<string[]> {
  return waitFor(`${count} emails for ${orderId}`, async () => {
    const sent = (await saga.notifications(orderId)).filter((n) => n.status === 'SENT');
    return sent.length === count ? sent.map((n) => n.kind).sort() : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300 });
}

it('C5 a void that fails: a retry fails again and stays under review; the void a person made at the processor, recorded, cancels the order and tells the customer', async () => {
  const sku = uniqueSku('c5v-resolve');
  await saga.setStock(sku, 0);
  const { id } = await saga.placeOrder({ sku, paymentMethod: 'tok_void_fails', unitPrice: AMOUNT });
  const review = await paymentUnderReview(id);
  const failedVoid = review.operations.find((o) => o.type === 'VOID')!;
  expect(review.review).toEqual({ from: 'AUTHORISED', operationId: failedVoid.id });

  // nothing to say yet: a note is required, and a failure cannot be "recorded" on an operation that already failed
  expect((await saga.resolvePayment(review.id, { action: 'retry' })).status).toBe(400);
  const refused = await saga.resolvePayment(review.id, { action: 'record-outcome', outcome: 'failed', code: 'void_failed', note: 'seen failed' });
  expect(refused).toMatchObject({ status: 409, body: { type: expect.stringContaining('operation-outcome-known') } });

  // retry: a new void with a new key; this card's voids always fail, so it comes back to review
  const alertsBefore = await saga.metric('payment-service', 'paystate_payments_requires_review_total');
  const key = randomUUID();
  const retried = await saga.resolvePayment(review.id, { action: 'retry', note: 'processor said try again' }, key);
  expect(retried).toMatchObject({ status: 202, body: { effect: 'retried', status: 'REQUIRES_REVIEW' } });
  const replay = await saga.resolvePayment(review.id, { action: 'retry', note: 'processor said try again' }, key);
  expect(replay.body['operationId']).toBe(retried.body['operationId']); // the same request again starts nothing
  const again = await waitFor('the retried void to fail', async () => {
    const p = (await saga.payment(id))!;
    return p.operations.find((o) => o.id === retried.body['operationId'])?.status === 'FAILED' ? p : undefined;
  });
  expect(again).toMatchObject({ status: 'REQUIRES_REVIEW', review: { from: 'AUTHORISED', operationId: retried.body['operationId'] } });
  expect(await saga.metric('payment-service', 'paystate_payments_requires_review_total')).toBe(alertsBefore + 1);

  // the operator voids it by hand at the processor and records what its dashboard shows
  const voidedByHand = `void_by_hand_${randomUUID().slice(0, 8)}`;
  const recorded = await saga.resolvePayment(review.id, { action: 'record-outcome', outcome: 'succeeded', processorObjectId: voidedByHand, note: 'voided in the processor dashboard, ticket OPS-1' });
  expect(recorded).toMatchObject({ status: 200, body: { effect: 'recorded', status: 'VOIDED' } });

  const order = await saga.waitOrder(id, 'to be cancelled', (o) => o.status === 'CANCELLED');
  expect(order).toMatchObject({ cancellationReason: 'OUT_OF_STOCK', paymentStatus: 'VOIDED', refunded: false });
  expect(await emailsSent(id, 1)).toEqual(['ORDER_CANCELLED']);
  const payment = (await saga.payment(id))!;
  expect(payment).toMatchObject({ status: 'VOIDED', review: null });
  expect(payment.operations.filter((o) => o.type === 'VOID').map((o) => [o.status, o.origin])).toEqual([
    ['FAILED', 'processor-call'],
    ['FAILED', 'processor-call'],
    ['SUCCEEDED', 'operator-record'],
  ]);
  // nothing was charged, and every step is on the payment's log with who did it and why
  expect(await saga.processorRecords(payment.id)).toMatchObject({ captures: 0, refunds: 0 });
  const log = await transitions(payment.id);
  expect(log.map((t) => t.version)).toEqual(log.map((_, i) => i + 1));
  expect(log.slice(-1)[0]).toMatchObject({ from_status: 'REQUIRES_REVIEW', to_status: 'VOIDED', cause_type: 'operator-review', note: 'voided in the processor dashboard, ticket OPS-1' });
  await saga.caughtUp();
});

it('C5 a refund that fails: the refund a person made at the processor, recorded, reverses the ledger, releases the stock, cancels the order and tells the customer', async () => {
  const sku = unshippableSku('c5r-resolve');
  await saga.setStock(sku, 5);
  const { id } = await saga.placeOrder({ sku, paymentMethod: 'tok_refund_fails', unitPrice: AMOUNT });
  const review = await paymentUnderReview(id);
  expect(review.review?.from).toBe('CAPTURED');

  const refundedByHand = `re_by_hand_${randomUUID().slice(0, 8)}`;
  const recorded = await saga.resolvePayment(review.id, { action: 'record-outcome', outcome: 'succeeded', processorObjectId: refundedByHand, note: 'refunded by the processor’s support, case 42' });
  expect(recorded).toMatchObject({ status: 200, body: { effect: 'recorded', status: 'REFUNDED' } });
  // the same movement recorded again (a double click, a copy of the wrong id on another payment) moves nothing
  const again = await saga.resolvePayment(review.id, { action: 'record-outcome', outcome: 'succeeded', processorObjectId: refundedByHand, note: 'again' });
  expect(again.status).toBe(409);

  const order = await saga.waitOrder(id, 'to be cancelled and refunded', (o) => o.status === 'CANCELLED' && o.fulfilmentStatus === 'RELEASED');
  expect(order).toMatchObject({ cancellationReason: 'SHIPMENT_FAILED', refunded: true, paymentStatus: 'REFUNDED' });
  expect(await emailsSent(id, 3)).toEqual(['ORDER_CANCELLED', 'ORDER_CONFIRMED', 'PAYMENT_REFUNDED']);
  const journals = await waitFor('the refund reversal', async () => {
    const js = await saga.journals(id);
    return js.length === 2 ? js : undefined;
  });
  expect(journals.map((j) => j.kind).sort()).toEqual(['CAPTURE', 'REFUND_REVERSAL']);
  expect(await saga.stock(sku)).toMatchObject({ onHand: 5, reserved: 0 });
  expect((await saga.payment(id))!).toMatchObject({ status: 'REFUNDED', refundedAmount: AMOUNT, review: null });
  await saga.caughtUp();
});

it('C5 a void whose outcome stays unknown past its deadline: once the processor answers again, a retry with the same key voids it and the order is cancelled', async () => {
  const sku = uniqueSku('c5u-resolve');
  await saga.setStock(sku, 0);
  await saga.nemesis.processor().inject({ operation: 'void', kind: 'error500', count: 1000 });
  const { id } = await saga.placeOrder({ sku, paymentMethod: 'tok_visa_approve', unitPrice: AMOUNT });
  const review = await paymentUnderReview(id);
  const voidOp = review.operations.find((o) => o.type === 'VOID')!;
  expect(voidOp.status).toBe('UNKNOWN');
  expect(review.review).toEqual({ from: 'AUTHORISED', operationId: voidOp.id });

  await saga.nemesis.processor().clear();
  const retried = await saga.resolvePayment(review.id, { action: 'retry', note: 'processor outage over' });
  expect(retried).toMatchObject({ status: 202, body: { effect: 'retried', operationId: voidOp.id } });

  const order = await saga.waitOrder(id, 'to be cancelled', (o) => o.status === 'CANCELLED');
  expect(order).toMatchObject({ cancellationReason: 'OUT_OF_STOCK', paymentStatus: 'VOIDED' });
  const payment = (await saga.payment(id))!;
  expect(payment.operations.filter((o) => o.type === 'VOID')).toEqual([expect.objectContaining({ id: voidOp.id, status: 'SUCCEEDED', origin: 'processor-call' })]);
  expect(await saga.processorRecords(payment.id)).toMatchObject({ authorisations: 1, voids: 1, captures: 0 });
  expect(await emailsSent(id, 1)).toEqual(['ORDER_CANCELLED']);
  await saga.caughtUp();
});

it('refuses to resolve a payment that is not under review, and one the key may not resolve', async () => {
  const sku = uniqueSku('happy-resolve');
  await saga.setStock(sku, 1);
  const { id } = await saga.placeOrder({ sku, unitPrice: AMOUNT });
  await saga.waitOrder(id, 'to complete', (o) => o.status === 'COMPLETED');
  const payment = (await saga.payment(id))!;
  const refused = await saga.resolvePayment(payment.id, { action: 'retry', note: 'nothing wrong' });
  expect(refused).toMatchObject({ status: 409, body: { type: expect.stringContaining('payment-not-in-review') } });
  expect((await saga.resolvePayment(randomUUID(), { action: 'retry', note: 'x' })).status).toBe(404);
  // resolving is its own scope: a key that may read and refund may not resolve
  const refunder = await createApiKey('payment-service', { clientId: `refunder-${randomUUID().slice(0, 8)}`, scopes: ['payments:read', 'payments:refund'] });
  const forbidden = await requestJson(`${saga.url('payment-service')}/payments/${payment.id}/resolutions`, { method: 'POST', body: { action: 'retry', note: 'x' }, headers: apiHeaders(refunder, randomUUID()) });
  expect(forbidden.status).toBe(403);
  expect((await saga.payment(id))!.status).toBe('CAPTURED');
});
