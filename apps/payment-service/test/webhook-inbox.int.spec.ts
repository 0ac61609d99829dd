import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PaymentOperations } from '../src/application/operations/payment-operations';
import type { ProcessorWebhooks } from '../src/application/webhooks/processor-webhooks';
import { PaymentServiceUnderTest, consume, orderPlaced, paymentServiceUnderTest } from './support/payment-service';

/**
 * The webhook inbox on the real PostgreSQL: a stored webhook that cannot be applied (here the
 * database refuses its transition, a broken invariant as far as the service can tell) is put back
 * with its error and a backoff, the ones behind it are applied meanwhile, and it applies once the
 * cause is gone. Before, it was retried at the head of the queue forever and blocked every other.
 */
let service: PaymentServiceUnderTest;
let dataSource: DataSource;
let webhooks: ProcessorWebhooks;
let operations: PaymentOperations;

beforeAll(async () => {
  Logger.overrideLogger(false);
  service = await paymentServiceUnderTest('inbox');
  ({ dataSource, webhooks, operations } = service);
});

afterAll(async () => {
  Logger.overrideLogger(['log', 'warn', 'error']);
  await service?.close();
});

async function placedPayment(orderId: string = randomUUID()): Promise<{ paymentId: string; operationId: string }> {
  await consume(dataSource, 'OrderPlaced', orderPlaced(orderId, 2500), (e, ctx) => service.initiate.handle(e, ctx));
  const [row] = await dataSource.query<{ payment_id: string; id: string }[]>('SELECT o.payment_id, o.id FROM payment_operation o JOIN payments p ON p.id = o.payment_id WHERE p.order_id = $1', [orderId]);
  return { paymentId: row!.payment_id, operationId: row!.id };
}

const authorised = (p: { paymentId: string; operationId: string }) => ({
  id: `evt_${randomUUID()}`,
  type: 'authorisation.succeeded',
  created: Math.floor(Date.now() / 1000),
  data: { operationId: p.operationId, reference: p.paymentId, objectId: `auth_${randomUUID().slice(0, 8)}`, amount: 2500, currency: 'EUR' },
});

const statusOf = async (paymentId: string) => (await dataSource.query<{ status: string }[]>('SELECT status FROM payments WHERE id = $1', [paymentId]))[0]!.status;
const failures = async () => (await (register.getSingleMetric('paystate_webhooks_failed_total') as Counter).get()).values.reduce((s, v) => s + v.value, 0);

it('puts back a webhook that cannot be applied, applies the ones behind it, and applies it once the cause is gone', async () => {
  const stuck = await placedPayment();
  const behind = await placedPayment();
  await dataSource.query(`
    CREATE FUNCTION refuse_one_payment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.payment_id = '${stuck.paymentId}' THEN RAISE EXCEPTION 'injected: this transition is refused'; END IF;
      RETURN NEW;
    END $$`);
  await dataSource.query('CREATE TRIGGER refuse_one_payment BEFORE INSERT ON payment_transition FOR EACH ROW EXECUTE FUNCTION refuse_one_payment()');
  const first = authorised(stuck);
  await webhooks.receive(first, new Date());
  await webhooks.receive(authorised(behind), new Date(Date.now() + 1));
  const failedBefore = await failures();

  await webhooks.applyPending();
  expect(await statusOf(behind.paymentId)).toBe('AUTHORISED');
  expect(await statusOf(stuck.paymentId)).toBe('VALIDATED');
  const [row] = await dataSource.query<{ processed_at: Date | null; attempts: number; last_error: string; later: boolean }[]>(
    'SELECT processed_at, attempts, last_error, next_attempt_at > now() AS later FROM processor_webhook WHERE event_id = $1',
    [first.id],
  );
  expect(row).toMatchObject({ processed_at: null, attempts: 1, later: true, last_error: expect.stringContaining('injected') });
  expect(await failures()).toBe(failedBefore + 1);
  // not due yet: a second pass leaves it alone
  await webhooks.applyPending();
  expect(await statusOf(stuck.paymentId)).toBe('VALIDATED');

  await dataSource.query('DROP TRIGGER refuse_one_payment ON payment_transition');
  // its backoff has passed (a second back: PostgreSQL's now() has microseconds, the claim's JS time only milliseconds)
  await dataSource.query(`UPDATE processor_webhook SET next_attempt_at = now() - interval '1 second' WHERE event_id = $1`, [first.id]);
  await webhooks.applyPending();
  expect(await statusOf(stuck.paymentId)).toBe('AUTHORISED');
  const [done] = await dataSource.query<{ outcome: string }[]>('SELECT outcome FROM processor_webhook WHERE event_id = $1', [first.id]);
  expect(done).toEqual({ outcome: 'applied' });
});

/** A captured payment whose refund failed at the processor: REQUIRES_REVIEW, waiting for that refund. */
async function refundUnderReview(): Promise<{ paymentId: string; refundId: string }> {
  const orderId = randomUUID();
  const placed = await placedPayment(orderId);
  const answer = (operationId: string, outcome: { result: 'succeeded'; objectId: string } | { result: 'failed'; code: string; detail: string }) =>
    dataSource.transaction((manager) => operations.recordOutcome(manager, operationId, outcome, { id: operationId, type: 'processor-response' }, new Date()));
  await answer(placed.operationId, { result: 'succeeded', objectId: `auth_${randomUUID().slice(0, 8)}` });
  await consume(dataSource, 'StockReserved', { orderId }, (e, ctx) => service.saga.captureOnStockReserved(e, ctx));
  const [capture] = await dataSource.query<{ id: string }[]>(`SELECT id FROM payment_operation WHERE payment_id = $1 AND type = 'CAPTURE'`, [placed.paymentId]);
  await answer(capture!.id, { result: 'succeeded', objectId: `cap_${randomUUID().slice(0, 8)}` });
  const started = await dataSource.transaction((manager) => service.refunds.startRefund(manager, placed.paymentId, undefined, { id: randomUUID(), type: 'operator-refund' }, new Date()));
  if (!started.ok) throw new Error(started.detail);
  await answer(started.operationId, { result: 'failed', code: 'refund_failed', detail: 'refund_failed' });
  return { paymentId: placed.paymentId, refundId: started.operationId };
}

it('a person resolving a review while the processor re-sends its report about the same operation: both finish, no deadlock, the books move once', async () => {
  const { paymentId, refundId } = await refundUnderReview();
  // another transaction holds the payment, so the two queue up in a known order: the resolution
  // first (it locks the payment, then the operation), then the webhook; the webhook used to lock the
  // operation first and then wait for the payment, which deadlocked with the resolution
  const holder = dataSource.createQueryRunner();
  await holder.connect();
  await holder.startTransaction();
  await holder.query('SELECT 1 FROM payments WHERE id = $1 FOR UPDATE', [paymentId]);
  const pause = () => new Promise((resolve) => setTimeout(resolve, 300));
  const resolution = dataSource.transaction((manager) =>
    service.review.resolve(manager, paymentId, { action: 'record-outcome', outcome: { result: 'succeeded', objectId: `re_by_hand_${randomUUID().slice(0, 8)}` } }, { id: randomUUID(), type: 'operator-review', note: 'test' }, new Date()),
  );
  await pause();
  const report = { id: `evt_${randomUUID()}`, type: 'refund.failed', created: Math.floor(Date.now() / 1000), data: { operationId: refundId, reference: paymentId, objectId: 're_x', amount: 2500, currency: 'EUR', declineCode: 'refund_failed' } };
  await webhooks.receive(report, new Date());
  const applying = webhooks.applyPending();
  await pause();
  await holder.commitTransaction();
  await holder.release();

  await expect(resolution).resolves.toMatchObject({ ok: true, status: 'REFUNDED' });
  await applying;
  const [webhook] = await dataSource.query<{ outcome: string | null; last_error: string | null }[]>('SELECT outcome, last_error FROM processor_webhook WHERE event_id = $1', [report.id]);
  expect(webhook).toEqual({ outcome: 'already-settled', last_error: null });
  const [payment] = await dataSource.query<{ status: string; refunded_amount: string }[]>('SELECT status, refunded_amount FROM payments WHERE id = $1', [paymentId]);
  expect([payment!.status, Number(payment!.refunded_amount)]).toEqual(['REFUNDED', 2500]);
});
