import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { OrderPlacedV1 } from '@paystate/contracts';
import { KafkaTap, sleep, testNemesis, testStack, waitFor } from '@paystate/testing';
import { ConsumerMetrics, EventHandlerDefinition, IdempotentConsumer, appendToOutbox } from '@paystate/messaging';

/**
 * The outbox writer and the idempotent consumer on the real stack (the backbone): outbox rows in
 * order-service's database, Debezium's EventRouter publishing them to order.events, and an
 * IdempotentConsumer writing effects into payment-service's database. Every test uses its own order
 * ids; the consumer group is new for this run. The record processor's policy alone, without a
 * broker, is specified in src/inbox/record-processor.spec.ts.
 */
const runId = randomUUID().slice(0, 8);
const info = testStack();
const brokers = info.kafka.brokers;
const orderDb = new DataSource({ type: 'postgres', url: info.services['order-service']!.databaseUrl });
const paymentDb = new DataSource({ type: 'postgres', url: info.services['payment-service']!.databaseUrl, extra: { max: 4 } });
const kafka = new Kafka({ clientId: `itest-${runId}`, brokers, logLevel: logLevel.NOTHING });
const metrics = new ConsumerMetrics(new Registry());
const groupId = `itest-backbone-${runId}`;
const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let producer: Producer;
let consumer: IdempotentConsumer;
let tap: KafkaTap;
const flakyAttempts = new Map<string, number>();

const ourCustomer = `itest-${runId}`;

/** The effect under test: one row per handled order of this run. */
const recordEffect: EventHandlerDefinition<typeof OrderPlacedV1> = {
  contract: OrderPlacedV1,
  name: `${groupId}.OrderPlaced`,
  handle: async (event, ctx) => {
    if (!event.payload.customerId.startsWith(ourCustomer)) return;
    if (event.payload.customerId.endsWith('-flaky')) {
      const seen = (flakyAttempts.get(event.id) ?? 0) + 1;
      flakyAttempts.set(event.id, seen);
      if (seen <= 2) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    }
    await ctx.manager.query('INSERT INTO itest_effect (order_id, event_id) VALUES ($1, $2)', [event.payload.orderId, event.id]);
  },
};

async function placeInOutbox(customerSuffix = ''): Promise<string> {
  const orderId = randomUUID();
  await orderDb.transaction((manager) =>
    appendToOutbox(manager, [
      {
        contract: OrderPlacedV1,
        aggregateId: orderId,
        cause: { correlationId: orderId, causationId: randomUUID() },
        occurredAt: new Date(),
        payload: { ...OrderPlacedV1.example, orderId, customerId: `${ourCustomer}${customerSuffix}` },
      },
    ]),
  );
  return orderId;
}

const effectsFor = async (orderId: string): Promise<number> =>
  Number((await paymentDb.query<{ n: string }[]>('SELECT count(*) AS n FROM itest_effect WHERE order_id = $1', [orderId]))[0]!.n);

const outcomeCount = async (outcome: string): Promise<number> =>
  (await metrics.consumed.get()).values.filter((v) => v.labels['outcome'] === outcome && v.labels['group'] === groupId).reduce((s, v) => s + v.value, 0);

beforeAll(async () => {
  await orderDb.initialize();
  await paymentDb.initialize();
  await paymentDb.query('CREATE TABLE IF NOT EXISTS itest_effect (order_id uuid NOT NULL, event_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  producer = kafka.producer();
  await producer.connect();
  tap = await KafkaTap.open(brokers, ['order.events', 'deadletter.events']);
  consumer = new IdempotentConsumer({
    kafka,
    dataSource: paymentDb,
    groupId,
    handlers: [recordEffect],
    logger: quietLogger,
    metrics,
    retry: { initialDelayMs: 50, maxDelayMs: 500, maxAttempts: 3 },
  });
  await consumer.start();
});

afterAll(async () => {
  await consumer?.stop();
  await tap?.close();
  await producer?.disconnect();
  await orderDb.destroy();
  await paymentDb.destroy();
});

describe('outbox → Debezium → Kafka → idempotent consumer', () => {
  it('turns one outbox row into exactly one message on order.events with the right key, headers and payload', async () => {
    const orderId = await placeInOutbox();
    const [record] = await tap.waitForRecords(`OrderPlaced for ${orderId}`, (r) => r.key === orderId);
    await sleep(3_000); // anything Debezium would wrongly publish twice has had time to arrive
    expect(tap.matching((r) => r.key === orderId)).toHaveLength(1);

    expect(record!.topic).toBe('order.events');
    expect(record!.headers).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        eventType: 'OrderPlaced',
        eventVersion: '1',
        correlationId: orderId,
        causationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
      }),
    );
    expect(JSON.parse(record!.value!)).toEqual({ ...OrderPlacedV1.example, orderId, customerId: ourCustomer });
    // the outbox does not accumulate: the row was deleted in the transaction that wrote it
    expect(await orderDb.query('SELECT 1 FROM outbox')).toHaveLength(0);
    await waitFor('the consumer to apply it', async () => ((await effectsFor(orderId)) === 1 ? true : undefined));
  });

  it('applies a record delivered twice (the identical record re-produced with the same id) once', async () => {
    const orderId = await placeInOutbox();
    const [original] = await tap.waitForRecords(`OrderPlaced for ${orderId}`, (r) => r.key === orderId);
    await waitFor('the first delivery to be applied', async () => ((await effectsFor(orderId)) === 1 ? true : undefined));
    const duplicatesBefore = await outcomeCount('duplicate');

    await producer.send({ topic: 'order.events', messages: [{ key: original!.key, value: original!.value, headers: original!.headers }] });

    await waitFor('the redelivery to be seen as a duplicate', async () => ((await outcomeCount('duplicate')) > duplicatesBefore ? true : undefined));
    expect(await effectsFor(orderId)).toBe(1);
    const inbox = await paymentDb.query('SELECT outcome FROM inbox WHERE handler = $1 AND event_id = $2', [recordEffect.name, original!.headers['id']]);
    expect(inbox).toEqual([{ outcome: 'processed' }]);
  });

  it('dead-letters a poison message with its metadata and processes the next message of the partition', async () => {
    const key = randomUUID();
    const poisonId = randomUUID();
    const poisonHeaders = { id: poisonId, eventType: 'OrderPlaced', eventVersion: '1', correlationId: key, causationId: randomUUID(), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const goodId = randomUUID();
    const good = { ...OrderPlacedV1.example, orderId: key, customerId: ourCustomer };
    // same key → same partition, poison first
    await producer.send({
      topic: 'order.events',
      messages: [
        { key, value: '{"orderId":"not-a-uuid"}', headers: poisonHeaders },
        { key, value: JSON.stringify(good), headers: { ...poisonHeaders, id: goodId } },
      ],
    });

    const [dead] = await tap.waitForRecords('the dead letter', (r) => r.topic === 'deadletter.events' && r.headers['causationId'] === poisonId);
    expect(dead!.key).toBe(key);
    expect(dead!.headers).toEqual(expect.objectContaining({ eventType: 'DeadLetter', eventVersion: '1', correlationId: key }));
    const letter = JSON.parse(dead!.value!);
    expect(letter).toEqual(
      expect.objectContaining({
        consumerGroup: groupId,
        handler: recordEffect.name,
        attempts: 1,
        error: expect.objectContaining({ kind: 'poison', message: expect.stringContaining('orderId') }),
        original: expect.objectContaining({ topic: 'order.events', key, value: '{"orderId":"not-a-uuid"}', headers: expect.objectContaining(poisonHeaders) }),
      }),
    );
    await waitFor('the next message on the partition to be applied', async () => ((await effectsFor(key)) === 1 ? true : undefined));
    const parked = await paymentDb.query('SELECT handler, error_kind, kafka_key FROM dead_letter WHERE event_id = $1', [poisonId]);
    expect(parked).toEqual([{ handler: recordEffect.name, error_kind: 'poison', kafka_key: key }]);
  });

  it('retries a transient failure with backoff, without skipping, and applies the event once', async () => {
    const retriesBefore = (await metrics.retries.get()).values.reduce((s, v) => s + v.value, 0);
    const orderId = await placeInOutbox('-flaky');
    await waitFor('the flaky event to be applied', async () => ((await effectsFor(orderId)) === 1 ? true : undefined));
    const retries = (await metrics.retries.get()).values.reduce((s, v) => s + v.value, 0) - retriesBefore;
    // two failed attempts, then success (a failed group transaction counts as an attempt too)
    expect([...flakyAttempts.values()].at(-1)).toBe(3);
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(await effectsFor(orderId)).toBe(1);
  });

  it('delivers every event written while Kafka Connect was down once Connect is back (Debezium resumes from its slot)', async () => {
    await testNemesis().connect.terminate();
    const orderIds: string[] = [];
    try {
      for (let i = 0; i < 10; i++) orderIds.push(await placeInOutbox());
      await sleep(1_000);
      expect(tap.matching((r) => orderIds.includes(r.key ?? ''))).toHaveLength(0);
    } finally {
      await testNemesis().connect.start();
    }
    await tap.waitForRecords('all 10 events written during the outage', (r) => orderIds.includes(r.key ?? ''), 10, 120_000);
    for (const orderId of orderIds) {
      await waitFor(`effect for ${orderId}`, async () => ((await effectsFor(orderId)) === 1 ? true : undefined), { timeoutMs: 60_000 });
    }
  });
});
