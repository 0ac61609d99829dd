import { randomUUID } from 'node:crypto';
import { failpointsEnv } from '@paystate/failpoints';
import { KafkaTap, createApiKey, queryAsSuperuser, runOps, testStack, waitFor } from '@paystate/testing';
import { Saga, uniqueSku } from '../saga/support/saga';

// every `ops` call is a process of its own (as an operator runs it): the tests take minutes on a busy machine
/**
 * The saga monitor and the operator's view of one order (SPEC §8, §9; issue 10 items 2 and 3), on
 * the whole stack with tiny SLAs: a paid order whose fulfilment-service is down (CONFIRMED without
 * shipment) and a payment in REQUIRES_REVIEW are each reported once per threshold crossing (one
 * SagaStuck/PaymentStuck event, a `stuck_saga` row, the gauge, the API and `ops stuck`); an
 * acknowledgement stops the reports and drops the gauge; the saga moving on resolves them.
 * `ops saga` shows the step each order waits for; `ops review` resolves the payment through
 * payment-service's API.
 */
const saga = new Saga();
let tap: KafkaTap;
let opsEnv: Record<string, string>;
const INTERVAL_MS = 500;
const SLA_MS = 3000;

beforeAll(async () => {
  await saga.start({
    // CRITICAL only at 100 × the SLA: this suite sees WARNING crossings only (the escalation, with two instances of each service: saga-monitor-instances.e2e.spec.ts)
    'order-service': { SAGA_SLA_CONFIRMED_MS: String(SLA_MS), SAGA_SLA_REVIEW_MS: String(SLA_MS), SAGA_SLA_ESCALATION: '100', SAGA_MONITOR_INTERVAL_MS: String(INTERVAL_MS) },
    'payment-service': { PAYMENT_SLA_REVIEW_MS: String(SLA_MS), PAYMENT_SLA_ESCALATION: '100', PAYMENT_MONITOR_INTERVAL_MS: String(INTERVAL_MS) },
  });
  const client = `ops-monitor-${randomUUID().slice(0, 8)}`;
  opsEnv = {
    PAYSTATE_ORDER_SERVICE_API_KEY: await createApiKey('order-service', { clientId: client, scopes: ['sagas:operate'] }),
    PAYSTATE_PAYMENT_SERVICE_API_KEY: await createApiKey('payment-service', { clientId: client, scopes: ['sagas:operate', 'payments:resolve'] }),
    PAYSTATE_PROCESSOR_API_KEY: testStack().services['payment-service']!.env['PROCESSOR_API_KEY']!,
  };
  tap = await KafkaTap.open(saga.brokers, ['order.events', 'payment.events']);
}, 600_000);

afterAll(async () => {
  await tap?.close();
  await saga.stop();
});

const ops = (args: string[]) => runOps(args, { env: opsEnv });
const eventsOf = (orderId: string, type: string) => tap.matching((r) => r.key === orderId && r.headers['eventType'] === type);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StuckItem { service: string; orderId: string; subjectId: string; stage: string; level: string; ageMs: number; slaMs: number | null; awaiting: { event: string; producer: string }; acknowledged: { by: string; note: string | null } | null }
interface StuckList { stuck: StuckItem[]; unacknowledged: number }
interface SagaView { orderId: string; status: string; waiting: { stage: string; event: string; producer: string; since: string; forMs: number } | null; services: Record<string, { data?: Record<string, unknown>; error?: string }>; timeline: { at: string; service: string; what: string }[]; deadLetters: unknown[] }

/** The gauge of one stage on a service's /metrics. */
async function gauge(service: 'order-service' | 'payment-service', stage: string): Promise<number> {
  const text = await (await fetch(`${saga.url(service)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`paystate_stuck_sagas{state="${stage}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const stuckRows = (database: string, orderId: string) =>
  queryAsSuperuser<{ stage: string; level: string; acknowledged_by: string | null; resolved_at: Date | null }>(database, 'SELECT stage, level, acknowledged_by, resolved_at FROM stuck_saga WHERE order_id = $1 ORDER BY id', [orderId]);

it('a paid order with fulfilment-service down: reported once, listed, acknowledged (no more reports, the gauge drops), resolved once it ships; `ops saga` shows the awaited step', async () => {
  const sku = uniqueSku('stuck-ship');
  await saga.setStock(sku, 2);
  // fulfilment reserves the stock and dies before it sees the capture: the order is paid and nothing ships (F5)
  await saga.stopService('fulfilment-service');
  const crashing = await saga.startService('fulfilment-service', { PAYSTATE_FAILPOINTS: failpointsEnv({ 'consumer.after-db-commit:PaymentAuthorised': 'kill' }) });
  const { id } = await saga.placeOrder({ sku });
  expect((await crashing.waitForExit()).signal).toBe('SIGKILL');
  await saga.waitOrder(id, 'to be confirmed (paid)', (o) => o.status === 'CONFIRMED');

  // one event for the crossing, with what it waits for
  const [event] = await tap.waitForRecords(`SagaStuck for ${id}`, (r) => r.key === id && r.headers['eventType'] === 'SagaStuck', 1, 30_000);
  expect(JSON.parse(event!.value!)).toMatchObject({ orderId: id, stage: 'AWAITING_SHIPMENT', level: 'WARNING', thresholdMs: SLA_MS, awaiting: { producer: 'fulfilment-service' } });
  await waitFor('the gauge to count it', async () => ((await gauge('order-service', 'AWAITING_SHIPMENT')) >= 1 ? true : undefined));

  // listed by `ops stuck` (exit 1: something is unacknowledged), with age against the SLA and the awaited step
  const listed = await ops(['stuck', '--service', 'order']);
  expect(listed.code).toBe(1);
  const item = (listed.json as StuckList).stuck.find((s) => s.orderId === id);
  expect(item).toMatchObject({ service: 'order-service', stage: 'AWAITING_SHIPMENT', level: 'WARNING', slaMs: SLA_MS, awaiting: { event: 'ShipmentDispatched or ShipmentFailed', producer: 'fulfilment-service' }, acknowledged: null });
  expect(item!.ageMs).toBeGreaterThanOrEqual(SLA_MS);

  // the whole order across the five services, stalled: waiting for the shipment, reservation held
  const stalled = await ops(['saga', id]);
  expect(stalled.code).toBe(0);
  const view = stalled.json as SagaView;
  expect(view).toMatchObject({ orderId: id, status: 'CONFIRMED', waiting: { stage: 'AWAITING_SHIPMENT', producer: 'fulfilment-service' } });
  expect(view.waiting!.forMs).toBeGreaterThanOrEqual(SLA_MS);
  expect(view.services['fulfilment-service']!.data).toMatchObject({ reservation: { status: 'HELD' }, shipment: null });
  expect(view.services['payment-service']!.data).toMatchObject({ payments: [{ status: 'CAPTURED' }] });
  expect(view.timeline.map((t) => t.at)).toEqual([...view.timeline.map((t) => t.at)].sort());

  // a dry run changes nothing
  const dry = await ops(['stuck', 'ack', id, '--reason', 'looking']);
  expect([dry.code, (dry.json as { executed: boolean }).executed]).toEqual([0, false]);
  expect((await stuckRows('paystate_order', id))[0]!.acknowledged_by).toBeNull();

  const ack = await ops(['stuck', 'ack', id, '--execute', '--reason', 'fulfilment down, INC-7', '--yes', '--no-input']);
  expect(ack.code).toBe(0);
  expect(ack.json).toMatchObject({ executed: true, results: [{ service: 'order-service', acknowledged: [{ stage: 'AWAITING_SHIPMENT', level: 'WARNING' }] }] });
  // the gauge counts open, unacknowledged reports of the whole service (orders other suites left on the
  // shared stack count too): it drops to what the store holds without this one
  expect((await stuckRows('paystate_order', id))[0]!.acknowledged_by).toEqual(expect.stringContaining('e2e-test'));
  await waitFor('the gauge to drop to the open, unacknowledged reports', async () => {
    const [open] = await queryAsSuperuser<{ n: string }>('paystate_order', `SELECT count(*) AS n FROM stuck_saga WHERE stage = 'AWAITING_SHIPMENT' AND acknowledged_at IS NULL AND resolved_at IS NULL`);
    const now = await gauge('order-service', 'AWAITING_SHIPMENT');
    return now === Number(open!.n) ? true : undefined;
  });
  // several monitor intervals later: still one event, not listed unless asked for, acknowledged by whom and why
  await sleep(INTERVAL_MS * 8);
  expect(eventsOf(id, 'SagaStuck')).toHaveLength(1);
  expect((((await ops(['stuck', '--service', 'order'])).json) as StuckList).stuck.some((s) => s.orderId === id)).toBe(false);
  const withAcked = (await ops(['stuck', '--service', 'order', '--include-acknowledged'])).json as StuckList;
  expect(withAcked.stuck.find((s) => s.orderId === id)?.acknowledged).toMatchObject({ by: expect.stringContaining('e2e-test'), note: 'fulfilment down, INC-7' });

  // fulfilment back: the order ships and completes, the report is resolved, nothing more is emitted
  await saga.startService('fulfilment-service');
  await saga.waitOrder(id, 'to complete', (o) => o.status === 'COMPLETED', 120_000);
  const rows = await waitFor('the report to be resolved', async () => {
    const r = await stuckRows('paystate_order', id);
    return r.every((x) => x.resolved_at !== null) ? r : undefined;
  });
  expect(rows.map((r) => [r.stage, r.level])).toEqual([['AWAITING_SHIPMENT', 'WARNING']]);
  expect(eventsOf(id, 'SagaStuck')).toHaveLength(1);

  const done = (await ops(['saga', id])).json as SagaView;
  expect(done).toMatchObject({ status: 'COMPLETED', waiting: null });
  expect(done.services['fulfilment-service']!.data).toMatchObject({ shipment: { status: 'DISPATCHED' } });
  expect(new Set(done.timeline.map((t) => t.service))).toEqual(new Set(['order-service', 'payment-service', 'ledger-service', 'fulfilment-service', 'notification-service']));
  await saga.caughtUp();
}, 600_000);

it('a payment in REQUIRES_REVIEW: reported by both services, listed by `ops review list` with the processor’s view, resolved by `ops review resolve` through the API; the reports resolve', async () => {
  const sku = uniqueSku('stuck-review');
  await saga.setStock(sku, 0);
  // out of stock → void → this card's voids fail → REQUIRES_REVIEW (C5)
  const { id } = await saga.placeOrder({ sku, paymentMethod: 'tok_void_fails' });
  const [paymentEvent] = await tap.waitForRecords(`PaymentStuck for ${id}`, (r) => r.key === id && r.headers['eventType'] === 'PaymentStuck', 1, 60_000);
  const payload = JSON.parse(paymentEvent!.value!) as { paymentId: string };
  expect(payload).toMatchObject({ orderId: id, stage: 'REQUIRES_REVIEW', level: 'WARNING', thresholdMs: SLA_MS });
  await tap.waitForRecords(`SagaStuck for ${id}`, (r) => r.key === id && r.headers['eventType'] === 'SagaStuck', 1, 30_000);
  expect(JSON.parse(eventsOf(id, 'SagaStuck')[0]!.value!)).toMatchObject({ stage: 'PAYMENT_IN_REVIEW' });

  const listed = await ops(['stuck']);
  expect(listed.code).toBe(1);
  const mine = (listed.json as StuckList).stuck.filter((s) => s.orderId === id);
  expect(mine.map((s) => [s.service, s.stage]).sort()).toEqual([['order-service', 'PAYMENT_IN_REVIEW'], ['payment-service', 'REQUIRES_REVIEW']]);
  expect(mine.find((s) => s.service === 'payment-service')).toMatchObject({ subjectId: payload.paymentId, attempts: expect.any(Number) });
  expect(await gauge('payment-service', 'REQUIRES_REVIEW')).toBeGreaterThanOrEqual(1);

  const reviews = await ops(['review', 'list']);
  expect(reviews.code).toBe(1);
  const review = (reviews.json as { reviews: { paymentId: string; from: string; operation: { type: string; status: string }; processor: { known: boolean; authorisations?: unknown[] } }[] }).reviews.find((r) => r.paymentId === payload.paymentId);
  expect(review).toMatchObject({ from: 'AUTHORISED', operation: { type: 'VOID', status: 'FAILED' }, processor: { known: true } });
  expect(review!.processor.authorisations).toHaveLength(1);

  const voidedByHand = `void_by_hand_${randomUUID().slice(0, 8)}`;
  const resolveArgs = ['review', 'resolve', payload.paymentId, '--action', 'record-outcome', '--outcome', 'succeeded', '--processor-object-id', voidedByHand];
  const dry = await ops([...resolveArgs, '--reason', 'voided in the dashboard']);
  expect([dry.code, (dry.json as { executed: boolean }).executed]).toEqual([0, false]);
  expect((await saga.payment(id))!.status).toBe('REQUIRES_REVIEW');

  const resolved = await ops([...resolveArgs, '--execute', '--reason', 'voided in the dashboard, OPS-2', '--yes', '--no-input']);
  expect(resolved.code).toBe(0);
  expect(resolved.json).toMatchObject({ executed: true, result: { httpStatus: 200, response: { effect: 'recorded', status: 'VOIDED' } } });
  await saga.waitOrder(id, 'to be cancelled', (o) => o.status === 'CANCELLED');
  // the resolution is on the payment's log with the operator's reason
  const [last] = await queryAsSuperuser<{ to_status: string; note: string | null }>('paystate_payment', 'SELECT to_status, note FROM payment_transition WHERE payment_id = $1 ORDER BY version DESC LIMIT 1', [payload.paymentId]);
  expect(last).toEqual({ to_status: 'VOIDED', note: 'voided in the dashboard, OPS-2' });

  for (const database of ['paystate_order', 'paystate_payment']) {
    await waitFor(`the reports in ${database} to resolve`, async () => {
      const r = await stuckRows(database, id);
      return r.length === 1 && r[0]!.resolved_at !== null ? true : undefined;
    });
  }
  // resolving again is refused: it is not under review any more
  expect((await ops([...resolveArgs, '--execute', '--reason', 'again', '--yes', '--no-input'])).code).toBe(1);
  await sleep(INTERVAL_MS * 4);
  expect([eventsOf(id, 'PaymentStuck').length, eventsOf(id, 'SagaStuck').length]).toEqual([1, 1]);
}, 600_000);

it('bad input: unknown or malformed ids, services without a monitor, incomplete resolutions → 64, nothing changed', async () => {
  const unknown = randomUUID();
  expect((await ops(['saga', unknown])).code).toBe(64);
  expect((await ops(['saga', 'not-an-id'])).code).toBe(64);
  expect((await ops(['stuck', '--service', 'ledger'])).code).toBe(64);
  expect((await ops(['stuck', 'ack', unknown, '--execute', '--reason', 'x', '--yes', '--no-input'])).code).toBe(64);
  expect((await ops(['review', 'resolve', unknown, '--action', 'retry', '--execute', '--reason', 'x', '--yes', '--no-input'])).code).toBe(64);
  expect((await ops(['review', 'resolve', unknown, '--action', 'record-outcome', '--outcome', 'succeeded'])).code).toBe(64);
  expect((await ops(['review', 'resolve', unknown, '--action', 'refund'])).code).toBe(64);
  // without an API key, `ops stuck` says which variable to set
  const noKey = await runOps(['stuck'], { env: { PAYSTATE_ORDER_SERVICE_API_KEY: '', PAYSTATE_PAYMENT_SERVICE_API_KEY: '' } });
  expect(noKey.code).toBe(64);
  expect(JSON.stringify(noKey.json)).toContain('PAYSTATE_ORDER_SERVICE_API_KEY');
}, 600_000);
