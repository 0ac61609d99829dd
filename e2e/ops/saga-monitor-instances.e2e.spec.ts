import { randomUUID } from 'node:crypto';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { KafkaTap, createApiKey, freePort, queryAsSuperuser, runOps, testStack, waitFor } from '@paystate/testing';
import { FAST_PAYMENTS, Saga, uniqueSku } from '../saga/support/saga';

/**
 * The saga monitor with two instances of each monitored service and an escalation that happens
 * (SPEC §8, ADR 0017), on the whole stack: a payment stuck in REQUIRES_REVIEW is watched by two
 * payment-service and two order-service processes, each monitor looking every 100 ms against the
 * same database. Each crossing (WARNING at the SLA, CRITICAL at 2 × the SLA) is reported once: one
 * `stuck_saga` row and one event per service and level, the unique key of stuck_saga turning the
 * other instance's insert into a no-op. saga-monitor.e2e.spec.ts covers the single-instance story
 * with WARNING only.
 */
const saga = new Saga();
const extra: ServiceProcess[] = [];
let tap: KafkaTap;
let opsEnv: Record<string, string>;
const INTERVAL_MS = 100;
const SLA_MS = 3000;
const ESCALATION = 2;
const ORDER_ENV = { SAGA_SLA_REVIEW_MS: String(SLA_MS), SAGA_SLA_ESCALATION: String(ESCALATION), SAGA_MONITOR_INTERVAL_MS: String(INTERVAL_MS) };
const PAYMENT_ENV = { PAYMENT_SLA_REVIEW_MS: String(SLA_MS), PAYMENT_SLA_ESCALATION: String(ESCALATION), PAYMENT_MONITOR_INTERVAL_MS: String(INTERVAL_MS) };

beforeAll(async () => {
  await saga.start({ 'order-service': ORDER_ENV, 'payment-service': PAYMENT_ENV });
  const [orderPort, paymentPort] = await Promise.all([freePort(), freePort()]);
  const info = testStack();
  extra.push(
    ...(await Promise.all([
      startServiceProcess(info, 'order-service', { ...ORDER_ENV, PORT: String(orderPort) }, { timeoutMs: saga.startTimeoutMs }),
      startServiceProcess(info, 'payment-service', { ...FAST_PAYMENTS, ...PAYMENT_ENV, PORT: String(paymentPort) }, { timeoutMs: saga.startTimeoutMs }),
    ])),
  );
  const client = `ops-monitor2-${randomUUID().slice(0, 8)}`;
  opsEnv = {
    PAYSTATE_ORDER_SERVICE_API_KEY: await createApiKey('order-service', { clientId: client, scopes: ['sagas:operate'] }),
    PAYSTATE_PAYMENT_SERVICE_API_KEY: await createApiKey('payment-service', { clientId: client, scopes: ['sagas:operate', 'payments:resolve'] }),
    PAYSTATE_PROCESSOR_API_KEY: info.services['payment-service']!.env['PROCESSOR_API_KEY']!,
  };
  tap = await KafkaTap.open(saga.brokers, ['order.events', 'payment.events']);
}, 600_000);

afterAll(async () => {
  await tap?.close();
  await Promise.all(extra.map((p) => p.stop()));
  await saga.stop();
});

const ops = (args: string[]) => runOps(args, { env: opsEnv });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const levelsOf = (orderId: string, type: string): string[] =>
  tap
    .matching((r) => r.key === orderId && r.headers['eventType'] === type)
    .map((r) => (JSON.parse(r.value!) as { level: string }).level)
    .sort();
const stuckRows = (database: string, orderId: string) =>
  queryAsSuperuser<{ stage: string; level: string; resolved_at: Date | null }>(database, 'SELECT stage, level, resolved_at FROM stuck_saga WHERE order_id = $1 ORDER BY level', [orderId]);

/** The gauge of one stage as one instance shows it: each instance sets its own gauge in its own monitor loop. */
async function gaugeAt(url: string, stage: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`paystate_stuck_sagas{state="${stage}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('two instances of each service: one WARNING and one CRITICAL per service, reported once each, escalated on the API, `ops stuck` and the gauges; resolved once', async () => {
  const [orderTwin, paymentTwin] = extra;
  const sku = uniqueSku('stuck-twice');
  await saga.setStock(sku, 0);
  // out of stock → void → this card's voids fail → REQUIRES_REVIEW (C5)
  const { id } = await saga.placeOrder({ sku, paymentMethod: 'tok_void_fails' });

  await tap.waitForRecords(`the CRITICAL PaymentStuck for ${id}`, (r) => r.key === id && r.headers['eventType'] === 'PaymentStuck' && r.value!.includes('"CRITICAL"'), 1, 90_000);
  await tap.waitForRecords(`the CRITICAL SagaStuck for ${id}`, (r) => r.key === id && r.headers['eventType'] === 'SagaStuck' && r.value!.includes('"CRITICAL"'), 1, 60_000);
  // both instances of each service have looked since (each sets its own gauge from the store in its loop)
  for (const [url, stage] of [
    [saga.url('payment-service'), 'REQUIRES_REVIEW'],
    [paymentTwin!.url, 'REQUIRES_REVIEW'],
    [saga.url('order-service'), 'PAYMENT_IN_REVIEW'],
    [orderTwin!.url, 'PAYMENT_IN_REVIEW'],
  ] as const)
    await waitFor(`${url} to count the report`, async () => ((await gaugeAt(url, stage)) >= 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 });
  // many looks of four monitors later: one event and one row per service and level
  await sleep(INTERVAL_MS * 30);
  expect(levelsOf(id, 'PaymentStuck')).toEqual(['CRITICAL', 'WARNING']);
  expect(levelsOf(id, 'SagaStuck')).toEqual(['CRITICAL', 'WARNING']);
  expect((await stuckRows('paystate_payment', id)).map((r) => [r.stage, r.level])).toEqual([['REQUIRES_REVIEW', 'CRITICAL'], ['REQUIRES_REVIEW', 'WARNING']]);
  expect((await stuckRows('paystate_order', id)).map((r) => [r.stage, r.level])).toEqual([['PAYMENT_IN_REVIEW', 'CRITICAL'], ['PAYMENT_IN_REVIEW', 'WARNING']]);
  const critical = JSON.parse(tap.matching((r) => r.key === id && r.headers['eventType'] === 'PaymentStuck' && r.value!.includes('"CRITICAL"'))[0]!.value!) as { thresholdMs: number };
  expect(critical.thresholdMs).toBe(SLA_MS * ESCALATION);

  // the operator's view shows the highest level reached, from either instance
  for (const url of [saga.url('payment-service'), paymentTwin!.url]) {
    const r = await fetch(`${url}/sagas/stuck`, { headers: { authorization: `Bearer ${opsEnv['PAYSTATE_PAYMENT_SERVICE_API_KEY']!}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { stuck: { orderId: string; level: string; thresholdMs: number }[] };
    expect(body.stuck.filter((s) => s.orderId === id)).toEqual([expect.objectContaining({ level: 'CRITICAL', thresholdMs: SLA_MS * ESCALATION })]);
  }
  const listed = await ops(['stuck']);
  expect(listed.code).toBe(1);
  const mine = (listed.json as { stuck: { orderId: string; service: string; level: string }[] }).stuck.filter((s) => s.orderId === id);
  expect(mine.map((s) => [s.service, s.level]).sort()).toEqual([['order-service', 'CRITICAL'], ['payment-service', 'CRITICAL']]);

  // resolved through the API: every report of the order resolves, nothing more is emitted
  const paymentId = (await saga.payment(id))!.id;
  const resolved = await ops(['review', 'resolve', paymentId, '--action', 'record-outcome', '--outcome', 'succeeded', '--processor-object-id', `void_by_hand_${randomUUID().slice(0, 8)}`, '--execute', '--reason', 'e2e: two monitors', '--yes', '--no-input']);
  expect([resolved.code, resolved.stderr]).toEqual([0, expect.any(String)]);
  for (const database of ['paystate_order', 'paystate_payment'])
    await waitFor(`the reports in ${database} to resolve`, async () => ((await stuckRows(database, id)).every((r) => r.resolved_at !== null) ? true : undefined));
  await sleep(INTERVAL_MS * 20);
  expect([levelsOf(id, 'PaymentStuck'), levelsOf(id, 'SagaStuck')]).toEqual([['CRITICAL', 'WARNING'], ['CRITICAL', 'WARNING']]);
}, 600_000);
