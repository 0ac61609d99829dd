import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { FailpointName, failpointsEnv } from '@paystate/failpoints';
import { KafkaTap, apiHeaders, createApiKey, requestJson, testNemesis, waitFor } from '@paystate/testing';
import { Saga, uniqueSku } from './support/saga';

/**
 * The seeds' failure modes against the whole saga (SPEC §7): F2 a service killed right after its
 * commit, F5 a service down while orders arrive, F7 consumers killed between their commit and their
 * offset commit, F8 Kafka Connect restarted mid-run, F9 a poison message. Each ends with the orders
 * terminal and no double effect anywhere.
 */
const saga = new Saga();
let tap: KafkaTap;
/** The env that kills a service at that point. */
const killAt = (point: FailpointName) => ({ PAYSTATE_FAILPOINTS: failpointsEnv({ [point]: 'kill' }) });

const completed = (id: string) => saga.waitOrder(id, 'to complete', (o) => o.status === 'COMPLETED', 120_000);

/** Exactly one of every effect the happy path has, in every service. */
async function assertHappyOnce(id: string, email: string): Promise<void> {
  await waitFor(`the emails of ${id}`, async () => ((await saga.mailsTo(email)).length >= 2 ? true : undefined), { timeoutMs: 60_000 });
  await saga.caughtUp();
  const payment = (await saga.payment(id))!;
  expect(await saga.processorRecords(payment.id)).toMatchObject({ authorisations: 1, captures: 1, voids: 0, refunds: 0 });
  expect((await saga.journals(id)).map((j) => j.kind).sort()).toEqual(['CAPTURE', 'DISPATCH']);
  expect((await saga.notifications(id)).map((n) => n.kind).sort()).toEqual(['ORDER_CONFIRMED', 'ORDER_DISPATCHED']);
  expect(await saga.mailsTo(email)).toHaveLength(2);
  const once = (type: string) => tap.matching((r) => r.key === id && r.headers['eventType'] === type).map((r) => r.headers['id']);
  for (const type of ['OrderPlaced', 'PaymentAuthorised', 'StockReserved', 'PaymentCaptured', 'ShipmentDispatched', 'OrderConfirmed', 'OrderCompleted']) {
    expect([type, new Set(once(type)).size]).toEqual([type, 1]);
  }
}

beforeAll(async () => {
  tap = await KafkaTap.open(saga.brokers, ['order.events', 'payment.events', 'fulfilment.events', 'ledger.events', 'notification.events', 'deadletter.events']);
  await saga.start();
});

afterAll(async () => {
  await saga.stop();
  await tap?.close();
});

it('F2: order-service killed right after its commit, before answering: the retry with the same key gets the order, whose event reached Kafka, and the saga completes', async () => {
  const sku = uniqueSku('f2');
  await saga.setStock(sku, 3);
  await saga.stopService('order-service');
  const crashing = await saga.startService('order-service', killAt('order.place.after-commit'));

  const key = await createApiKey('order-service', { clientId: `f2-${randomUUID().slice(0, 8)}`, scopes: ['orders:write', 'orders:read'] });
  const idempotencyKey = randomUUID();
  const email = `f2-${randomUUID().slice(0, 8)}@example.com`;
  const body = { customerId: 'cus_f2', customerEmail: email, currency: 'EUR', items: [{ sku, quantity: 1, unitPrice: 1999 }], paymentMethod: 'tok_visa_approve' };
  const post = () => requestJson<{ id: string }>(`${saga.url('order-service')}/orders`, { method: 'POST', body, headers: apiHeaders(key, idempotencyKey) });

  await expect(post()).rejects.toThrow();
  expect((await crashing.waitForExit()).signal).toBe('SIGKILL');

  await saga.startService('order-service');
  const retried = await post();
  expect(retried.status).toBe(201);
  expect(retried.headers.get('idempotent-replayed')).toBe('true');
  const id = retried.body.id;

  await completed(id);
  await assertHappyOnce(id, email);
});

it('F5: fulfilment-service down while orders are placed: they wait authorised, and complete once it is back', async () => {
  const sku = uniqueSku('f5');
  await saga.setStock(sku, 10);
  await saga.stopService('fulfilment-service');

  const orders = await Promise.all([1, 2, 3].map(() => saga.placeOrder({ sku })));
  for (const { id } of orders) {
    await waitFor(`payment of ${id} authorised`, async () => ((await saga.payment(id))?.status === 'AUTHORISED' ? true : undefined), { timeoutMs: 60_000 });
    expect((await saga.order(id)).status).toBe('PENDING');
  }

  await saga.startService('fulfilment-service');
  for (const { id, email } of orders) {
    await completed(id);
    await assertHappyOnce(id, email);
  }
  expect(await saga.stock(sku)).toMatchObject({ onHand: 7, reserved: 0 });
});

it('F2/F7: fulfilment, ledger and notification killed right after their commits and before their offset commits: redelivered, deduplicated, one effect each', async () => {
  const sku = uniqueSku('f7');
  await saga.setStock(sku, 3);
  const crashAt: [Parameters<Saga['startService']>[0], FailpointName][] = [
    ['fulfilment-service', 'consumer.after-db-commit:PaymentAuthorised'],
    ['ledger-service', 'consumer.after-db-commit:PaymentCaptured'],
    ['notification-service', 'consumer.after-db-commit:OrderConfirmed'],
  ];
  const crashing = [];
  for (const [service, point] of crashAt) {
    await saga.stopService(service);
    crashing.push({ service, process: await saga.startService(service, killAt(point)) });
  }

  const { id, email } = await saga.placeOrder({ sku });
  for (const c of crashing) {
    // each one dies at its point only once the fact before it got through, so restart them in saga order
    expect([c.service, (await c.process.waitForExit()).signal]).toEqual([c.service, 'SIGKILL']);
    await saga.startService(c.service);
  }

  await completed(id);
  await assertHappyOnce(id, email);
  for (const service of ['fulfilment-service', 'ledger-service', 'notification-service'] as const) {
    expect([service, await saga.metric(service, 'paystate_messages_consumed_total')]).not.toEqual([service, 0]);
  }
  expect(await saga.stock(sku)).toMatchObject({ onHand: 2, reserved: 0 });
});

it('F8: Kafka Connect restarted while orders are in flight: everything arrives, re-published events are absorbed, no double effect', async () => {
  const sku = uniqueSku('f8');
  await saga.setStock(sku, 20);
  const orders = await Promise.all(Array.from({ length: 8 }, () => saga.placeOrder({ sku })));
  await testNemesis().connect.restart({ signal: 'SIGTERM' });
  const more = await Promise.all(Array.from({ length: 4 }, () => saga.placeOrder({ sku })));
  for (const { id, email } of [...orders, ...more]) {
    await completed(id);
    await assertHappyOnce(id, email);
  }
  expect(await saga.stock(sku)).toMatchObject({ onHand: 8, reserved: 0 });
});

it('F9: a poison message on payment.events goes to the dead-letter topic from every consumer, and the other orders complete', async () => {
  const sku = uniqueSku('f9');
  await saga.setStock(sku, 3);
  const poisonId = randomUUID();
  const victim = randomUUID();
  const producer = new Kafka({ clientId: 'f9-poison', brokers: saga.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({
      topic: 'payment.events',
      messages: [
        {
          key: victim,
          value: JSON.stringify({ orderId: 'not-a-uuid', amount: -1 }),
          headers: { id: poisonId, eventType: 'PaymentCaptured', eventVersion: '1', correlationId: victim, causationId: randomUUID() },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  const { id, email } = await saga.placeOrder({ sku });

  // every group that handles PaymentCaptured parks it once, with the original record
  const consumersOfCaptured = ['order-service', 'ledger-service', 'fulfilment-service'];
  const dead = await tap.waitForRecords('dead letters of the poison message', (r) => r.topic === 'deadletter.events' && JSON.parse(r.value ?? '{}').original?.headers?.id === poisonId, consumersOfCaptured.length);
  const parked = dead.map((r) => JSON.parse(r.value!) as { consumerGroup: string; original: { key: string; value: string }; error: { kind: string } });
  expect(parked.map((d) => d.consumerGroup).sort()).toEqual([...consumersOfCaptured].sort());
  for (const d of parked) expect(d).toMatchObject({ original: { key: victim, value: JSON.stringify({ orderId: 'not-a-uuid', amount: -1 }) }, error: { kind: 'poison' } });

  await completed(id);
  await assertHappyOnce(id, email);
  await saga.caughtUp();
  // parked exactly once per group, even after the redeliveries of a restart
  expect(tap.matching((r) => r.topic === 'deadletter.events' && JSON.parse(r.value ?? '{}').original?.headers?.id === poisonId)).toHaveLength(consumersOfCaptured.length);
});
