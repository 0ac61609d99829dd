import { randomUUID } from 'node:crypto';
import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventContract, OrderPlacedV1, PaymentCapturedV1, Topic } from '@paystate/contracts';
import { testStack, waitFor } from '@paystate/testing';
import { EventHandlerDefinition, IdempotentConsumer } from '@paystate/messaging';

/**
 * The catch-up merge and the co-partitioned assignment (ADR 0020) on the real broker. Two topics of
 * this run, three partitions each, stand for order.events and payment.events; each order's two facts
 * are keyed by its id, so they sit in the same partition number of both. The facts of all orders are
 * written topic by topic — every "order" fact first, then every "payment" fact — with timestamps that
 * interleave them, as a replay finds two backlogs. The consumer must hand them over in timestamp
 * order within each partition number, not topic by topic as the broker serves them.
 */
const runId = randomUUID().slice(0, 8);
const info = testStack();
const kafka = new Kafka({ clientId: `itest-merge-${runId}`, brokers: info.kafka.brokers, logLevel: logLevel.NOTHING });
const db = new DataSource({ type: 'postgres', url: info.services['payment-service']!.databaseUrl, extra: { max: 6 } });
const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
let admin: Admin;
let producer: Producer;
const consumers: IdempotentConsumer[] = [];

interface Handled {
  consumer: string;
  topic: string;
  partition: number;
  timestamp: number;
  orderId: string;
}

/** A contract of the catalogue moved onto a topic of this run (the payload schema is the catalogue's). */
const onTopic = (contract: EventContract, topic: string): EventContract => ({ ...contract, topic: topic as Topic });

function handlersFor(consumer: string, groupId: string, contracts: EventContract[], log: Handled[]): EventHandlerDefinition[] {
  return contracts.map((contract) => ({
    contract,
    name: `${groupId}.${contract.type}`,
    handle: (event) => {
      log.push({ consumer, topic: contract.topic, partition: event.partition, timestamp: Date.parse(event.occurredAt), orderId: String((event.payload as { orderId: string }).orderId) });
      return Promise.resolve();
    },
  }));
}

async function createTopics(...topics: string[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) });
}

/** One fact per order on `topic`, the n-th at `base + 2n + shift` (shift 0: order facts, 1: payment facts). */
async function writeFacts(topic: string, contract: EventContract, orderIds: string[], base: number, shift: number): Promise<void> {
  await producer.send({
    topic,
    messages: orderIds.map((orderId, n) => ({
      key: orderId,
      timestamp: String(base + 2 * n + shift),
      headers: { id: randomUUID(), eventType: contract.type, eventVersion: String(contract.version), correlationId: orderId, causationId: randomUUID() },
      value: JSON.stringify({ ...(contract.example as object), orderId }),
    })),
  });
}

beforeAll(async () => {
  await db.initialize();
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  for (const c of consumers) await c.stop();
  await producer?.disconnect();
  await admin?.disconnect();
  await db.destroy();
});

describe('catch-up in timestamp order across topics (real broker)', () => {
  it('hands over two backlogs written topic by topic in the order of their timestamps, partition number by partition number', async () => {
    const [orderTopic, paymentTopic] = [`itest-merge-orders-${runId}`, `itest-merge-payments-${runId}`];
    await createTopics(orderTopic, paymentTopic);
    const contracts = [onTopic(OrderPlacedV1, orderTopic), onTopic(PaymentCapturedV1, paymentTopic)];
    const orderIds = Array.from({ length: 60 }, () => randomUUID());
    const base = Date.now() - 3_600_000;
    await writeFacts(orderTopic, contracts[0]!, orderIds, base, 0);
    await writeFacts(paymentTopic, contracts[1]!, orderIds, base, 1);

    const log: Handled[] = [];
    const groupId = `itest-merge-${runId}-a`;
    const consumer = new IdempotentConsumer({ kafka, dataSource: db, groupId, handlers: handlersFor('one', groupId, contracts, log), logger: quietLogger, maxRecordsPerTransaction: 10 });
    consumers.push(consumer);
    await consumer.start();
    await waitFor('both backlogs handled', () => (log.length >= 2 * orderIds.length ? true : undefined), { timeoutMs: 60_000 });

    expect(log).toHaveLength(2 * orderIds.length);
    for (const partition of [0, 1, 2]) {
      const seen = log.filter((h) => h.partition === partition).map((h) => h.timestamp);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
    // and so every order's payment fact came after its order fact
    for (const orderId of orderIds) {
      const [first, second] = log.filter((h) => h.orderId === orderId);
      expect([first?.topic, second?.topic]).toEqual([orderTopic, paymentTopic]);
    }
  });

  it('gives two members of a group the same partition numbers of both topics', async () => {
    const [orderTopic, paymentTopic] = [`itest-merge2-orders-${runId}`, `itest-merge2-payments-${runId}`];
    await createTopics(orderTopic, paymentTopic);
    const contracts = [onTopic(OrderPlacedV1, orderTopic), onTopic(PaymentCapturedV1, paymentTopic)];
    const log: Handled[] = [];
    const groupId = `itest-merge-${runId}-b`;
    for (const name of ['one', 'two']) {
      const c = new IdempotentConsumer({ kafka, dataSource: db, groupId, handlers: handlersFor(name, groupId, contracts, log), logger: quietLogger });
      consumers.push(c);
      await c.start();
    }
    await waitFor('a stable group of two', async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === 2 ? true : undefined;
    }, { timeoutMs: 60_000 });

    const orderIds = Array.from({ length: 30 }, () => randomUUID());
    const base = Date.now();
    await writeFacts(orderTopic, contracts[0]!, orderIds, base, 0);
    await writeFacts(paymentTopic, contracts[1]!, orderIds, base, 1);
    await waitFor('every fact handled', () => (log.length >= 2 * orderIds.length ? true : undefined), { timeoutMs: 60_000 });

    expect(new Set(log.map((h) => h.consumer))).toEqual(new Set(['one', 'two']));
    for (const orderId of orderIds) {
      const byWhom = log.filter((h) => h.orderId === orderId).map((h) => h.consumer);
      expect(byWhom).toHaveLength(2);
      expect(byWhom[0]).toBe(byWhom[1]);
    }
  });
});
