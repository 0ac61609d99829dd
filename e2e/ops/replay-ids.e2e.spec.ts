import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { KafkaTap, queryAsSuperuser, waitFor, waitForCaughtUp } from '@paystate/testing';
import { CONSUMERS, FAST_PAYMENTS, Saga, SagaService, uniqueSku, unshippableSku } from '../saga/support/saga';

/**
 * Replay-safe ids (ADR 0014) on the real stack. Orders run down several saga paths; then a consumer
 * service is stopped, everything it made for those orders is deleted from its database (its rows
 * and its inbox rows, so that the inbox no longer remembers the events), its consumer group is
 * rewound to where the run started, and it is started again. The replay must re-create the same rows
 * ROW FOR ROW, ids included, and re-emit its events under the same ids, so that every downstream
 * inbox drops them as duplicates: no second application anywhere.
 *
 * Done for ledger-service (journals, postings) and fulfilment-service (orders, reservations,
 * shipments, transitions, stock). notification-service is left out on purpose: re-creating its
 * notifications would send the emails again (ADR 0014 explains what protects them instead).
 *
 * The deletes bypass the ledger's append-only triggers: the superuser's transaction runs with
 * `SET LOCAL session_replication_role = replica`, which disables user triggers (journal_immutable,
 * posting_immutable, the balance checks) for that transaction only. Nothing but this test does that.
 */
/** The saga harness, with more patience for a service's first /health on a loaded machine (the harness waits 60 s). */
class PatientSaga extends Saga {
  override async startService(service: SagaService, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const p = await startServiceProcess(this.info, service, { ...(service === 'payment-service' ? FAST_PAYMENTS : {}), ...env }, { timeoutMs: 240_000 });
    this.processes.set(service, p);
    return p;
  }
}
const saga = new PatientSaga();
jest.setTimeout(1_200_000);

/** The columns that record when (or in which order) a row was processed: a replay may change them, nothing else. */
const PROCESSING_COLUMNS = {
  journal: ['position', 'posted_at'],
  // the posting's id is an identity (insertion order); a posting is identified by its journal and its line
  posting: ['id'],
  inbox: ['processed_at'],
  fulfilment_order: ['created_at', 'updated_at'],
  reservation: ['created_at', 'updated_at'],
  shipment: ['created_at', 'updated_at'],
  fulfilment_transition: ['id', 'at'],
  stock: ['updated_at'],
} as const;

type Row = Record<string, unknown>;
type StartOffsets = Map<string, { partition: number; offset: string }[]>;

const without = (rows: Row[], columns: readonly string[]): Row[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !columns.includes(k)))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

async function highWatermarks(topics: string[]): Promise<StartOffsets> {
  const admin = new Kafka({ clientId: 'replay-ids', brokers: saga.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const out: StartOffsets = new Map();
    for (const topic of topics) out.set(topic, (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high })));
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Rewinds a stopped group (no members) to the offsets recorded before the run, and reads them back. */
async function rewindGroup(groupId: string, to: StartOffsets): Promise<void> {
  const admin = new Kafka({ clientId: 'replay-ids', brokers: saga.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const [topic, partitions] of to) await admin.setOffsets({ groupId, topic, partitions });
    const committed = await admin.fetchOffsets({ groupId, topics: [...to.keys()] });
    for (const { topic, partitions } of committed) {
      expect(partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(to.get(topic)!.map((p) => [p.partition, p.offset]).sort());
    }
  } finally {
    await admin.disconnect();
  }
}

/** The inbox rows of `database` for records at or after the run's start offsets. */
async function inboxOfRun(database: string, start: StartOffsets): Promise<Row[]> {
  const rows = await queryAsSuperuser<Row>(database, 'SELECT * FROM inbox WHERE topic = ANY($1)', [[...start.keys()]]);
  return rows.filter((r) => {
    const from = start.get(String(r['topic']))?.find((p) => p.partition === Number(r['kafka_partition']));
    return from !== undefined && BigInt(String(r['kafka_offset'])) >= BigInt(from.offset);
  });
}

/** Runs `statements` as the superuser in one transaction with user triggers disabled (see above). */
async function deleteAsSuperuser(database: string, statements: [string, unknown[]][]): Promise<number[]> {
  const url = new URL(saga.info.pg.superuserUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    const counts: number[] = [];
    for (const [sql, params] of statements) counts.push((await client.query(sql, params)).rowCount ?? 0);
    await client.query('COMMIT');
    return counts;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
}

/** What downstream consumers hold for some event ids: their inbox rows (one per handler and id) and order-service's timeline. */
async function downstreamOf(eventIds: string[], orderIds: string[]) {
  const inboxes: Record<string, Row[]> = {};
  for (const db of ['paystate_order', 'paystate_payment', 'paystate_ledger', 'paystate_fulfilment', 'paystate_notification']) {
    inboxes[db] = without(await queryAsSuperuser<Row>(db, 'SELECT * FROM inbox WHERE event_id = ANY($1::uuid[])', [eventIds]), []);
  }
  const timeline = await queryAsSuperuser<Row>('paystate_order', 'SELECT event_id, order_id, type, recorded_at FROM order_timeline WHERE order_id = ANY($1::uuid[])', [orderIds]);
  return { inboxes, timeline: without(timeline, []) };
}

/** The order topics' consumers, for waiting until everything re-emitted was consumed downstream. */
async function allCaughtUp(): Promise<void> {
  for (const [group, topics] of Object.entries(CONSUMERS)) await waitForCaughtUp(saga.brokers, group, topics, 180_000);
}

interface Run {
  orderIds: string[];
  skus: string[];
  stockBefore: Row[];
  start: StartOffsets;
  /** What ledger and fulfilment emitted for the run's orders the first time (a tap on their topics). */
  firstEmitted: Record<'ledger.events' | 'fulfilment.events', { id: string | undefined; type: string | undefined }[]>;
}

let run: Run;

beforeAll(async () => {
  await saga.start();
  const paths = [
    { label: 'happy', sku: uniqueSku('rid-happy'), method: 'tok_visa_approve', stock: 5, done: (s: string) => s === 'COMPLETED' },
    { label: 'declined', sku: uniqueSku('rid-c1'), method: 'tok_decline', stock: 5, done: (s: string) => s === 'CANCELLED' },
    { label: 'out of stock', sku: uniqueSku('rid-c2'), method: 'tok_visa_approve', stock: 0, done: (s: string) => s === 'CANCELLED' },
    { label: 'refund after a failed dispatch', sku: unshippableSku('rid-c4'), method: 'tok_visa_approve', stock: 5, done: (s: string) => s === 'CANCELLED' },
  ];
  for (const p of paths) await saga.setStock(p.sku, p.stock);
  const skus = paths.map((p) => p.sku);
  const stockBefore = await queryAsSuperuser<Row>('paystate_fulfilment', 'SELECT * FROM stock WHERE sku = ANY($1)', [skus]);
  await saga.caughtUp();
  const start = await highWatermarks(['order.events', 'payment.events', 'fulfilment.events', 'ledger.events']);
  const tap = await KafkaTap.open(saga.brokers, ['ledger.events', 'fulfilment.events']);
  const orderIds: string[] = [];
  for (const p of paths) {
    const { id } = await saga.placeOrder({ sku: p.sku, paymentMethod: p.method });
    orderIds.push(id);
  }
  for (const [i, p] of paths.entries()) await saga.waitOrder(orderIds[i]!, `(${p.label}) to finish`, (o) => p.done(o.status), 180_000);
  // the refund path ends with the ledger's reversal; wait for it before snapshotting
  await waitFor('the refund path’s reversal journal', async () => ((await saga.journals(orderIds[3]!)).some((j) => j.kind === 'REFUND_REVERSAL') ? true : undefined), { timeoutMs: 120_000 });
  await allCaughtUp();
  const of = (topic: string) => emittedIds(tap, orderIds, topic);
  run = { orderIds, skus, stockBefore, start, firstEmitted: { 'ledger.events': of('ledger.events'), 'fulfilment.events': of('fulfilment.events') } };
  await tap.close();
});

afterAll(async () => {
  await saga.stop();
});

/** Emitted events of the run's orders on `topic`, as a tap saw them: id and type, by id. */
const emittedIds = (tap: KafkaTap, orderIds: string[], topic: string) =>
  tap
    .matching((r) => r.topic === topic && r.key !== null && orderIds.includes(r.key))
    .map((r) => ({ id: r.headers['id'], type: r.headers['eventType'] }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));

/** Stops `service`, lets `purge` delete its rows of the run, rewinds its group, restarts it and waits for the replay to settle. */
async function replay(service: SagaService, topic: string, expectedEmits: number, purge: () => Promise<void>): Promise<{ reEmitted: { id: string | undefined; type: string | undefined }[] }> {
  const tap = await KafkaTap.open(saga.brokers, [topic]);
  try {
    await saga.stopService(service);
    await purge();
    await rewindGroup(service, new Map([...run.start].filter(([t]) => CONSUMERS[service]!.includes(t))));
    await saga.startService(service);
    await waitForCaughtUp(saga.brokers, service, CONSUMERS[service]!, 180_000);
    await tap.waitForRecords(`${service} to re-emit ${expectedEmits} events of the run`, (r) => r.key !== null && run.orderIds.includes(r.key), expectedEmits, 120_000);
    await allCaughtUp();
    return { reEmitted: emittedIds(tap, run.orderIds, topic) };
  } finally {
    await tap.close();
  }
}

it('ledger-service replayed over the run re-creates its journals and postings row for row and re-emits LedgerEntryPosted under the same ids; order-service applies nothing twice', async () => {
  const { orderIds, start } = run;
  const db = 'paystate_ledger';
  const journals = () => queryAsSuperuser<Row>(db, 'SELECT * FROM journal WHERE order_id = ANY($1::uuid[])', [orderIds]);
  // a posting is its journal's line: compared by journal and content, in insertion order within the journal
  const postings = () =>
    queryAsSuperuser<Row>(db, `SELECT p.*, row_number() OVER (PARTITION BY p.journal_id ORDER BY p.id) AS line FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.order_id = ANY($1::uuid[])`, [orderIds]);
  const booked = () => queryAsSuperuser<Row>(db, 'SELECT source_event_id, journal_id FROM fact_outcome WHERE order_id = ANY($1::uuid[]) AND journal_id IS NOT NULL', [orderIds]);
  const before = { journals: await journals(), postings: await postings(), booked: await booked(), inbox: await inboxOfRun(db, start) };
  expect(before.journals.map((j) => j['kind']).sort()).toEqual(['CAPTURE', 'CAPTURE', 'DISPATCH', 'REFUND_REVERSAL']);
  expect(before.postings.length).toBeGreaterThanOrEqual(8);

  // what the ledger emitted the first time: LedgerEntryPosted, one per journal, under the journal's id
  const first = run.firstEmitted['ledger.events'];
  const firstIds = first.map((e) => String(e.id));
  expect(new Set(first.map((e) => e.type))).toEqual(new Set(['LedgerEntryPosted']));
  expect(firstIds).toEqual(before.journals.map((j) => String(j['id'])).sort());
  const downstreamBefore = await downstreamOf(firstIds, orderIds);
  expect(downstreamBefore.inboxes['paystate_order']).toHaveLength(firstIds.length);

  const { reEmitted } = await replay('ledger-service', 'ledger.events', firstIds.length, async () => {
    const counts = await deleteAsSuperuser(db, [
      ['DELETE FROM fact_outcome WHERE order_id = ANY($1::uuid[])', [orderIds]],
      ['DELETE FROM parked_fact WHERE order_id = ANY($1::uuid[])', [orderIds]],
      ['DELETE FROM posting WHERE journal_id IN (SELECT id FROM journal WHERE order_id = ANY($1::uuid[]))', [orderIds]],
      ['DELETE FROM journal WHERE order_id = ANY($1::uuid[])', [orderIds]],
      ['DELETE FROM inbox WHERE (handler, event_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))', [before.inbox.map((r) => r['handler']), before.inbox.map((r) => r['event_id'])]],
    ]);
    expect(counts.slice(2)).toEqual([before.postings.length, before.journals.length, before.inbox.length]);
    expect(await journals()).toEqual([]);
  });

  expect(without(await journals(), PROCESSING_COLUMNS.journal)).toEqual(without(before.journals, PROCESSING_COLUMNS.journal));
  expect(without(await postings(), PROCESSING_COLUMNS.posting)).toEqual(without(before.postings, PROCESSING_COLUMNS.posting));
  expect(without(await booked(), [])).toEqual(without(before.booked, []));
  expect(without(await inboxOfRun(db, start), PROCESSING_COLUMNS.inbox)).toEqual(without(before.inbox, PROCESSING_COLUMNS.inbox));
  // the same event ids, and nothing but them
  expect(reEmitted).toEqual(first);
  // downstream: no new inbox row, no second timeline entry (the inbox dropped each as a duplicate)
  expect(await downstreamOf(firstIds, orderIds)).toEqual(downstreamBefore);
});

// fulfilment-service reads order.events AND payment.events: a replay finds both backlogs at once,
// and only the consumer's catch-up merge (ADR 0020) hands it OrderCancelled after the PaymentCaptured
// that came before it live; without the merge it released the reservation first and dead-lettered
// the capture (run of 2026-12-01 17:45 UTC).
it('fulfilment-service replayed over the run re-creates its orders, reservations, shipments, transitions and stock row for row and re-emits its events under the same ids; nobody downstream applies them twice', async () => {
  const { orderIds, skus, stockBefore, start } = run;
  const db = 'paystate_fulfilment';
  const tables = ['fulfilment_order', 'reservation', 'shipment', 'fulfilment_transition'] as const;
  const snapshot = async () => {
    const out: Record<string, Row[]> = {};
    for (const t of tables) out[t] = without(await queryAsSuperuser<Row>(db, `SELECT * FROM ${t} WHERE order_id = ANY($1::uuid[])`, [orderIds]), PROCESSING_COLUMNS[t]);
    out['stock'] = without(await queryAsSuperuser<Row>(db, 'SELECT * FROM stock WHERE sku = ANY($1)', [skus]), PROCESSING_COLUMNS.stock);
    out['inbox'] = without(await inboxOfRun(db, start), PROCESSING_COLUMNS.inbox);
    return out;
  };
  const before = await snapshot();
  expect(before['reservation']!.map((r) => r['status']).sort()).toEqual(['CONSUMED', 'FAILED', 'RELEASED']);
  expect(before['shipment']!.map((r) => r['status']).sort()).toEqual(['DISPATCHED', 'FAILED']);

  // what fulfilment emitted the first time (reserved or failed, dispatched or failed, released…)
  const first = run.firstEmitted['fulfilment.events'];
  const firstIds = first.map((e) => String(e.id));
  expect(firstIds.length).toBeGreaterThanOrEqual(5);
  const downstreamBefore = await downstreamOf(firstIds, orderIds);
  const inboxBefore = await inboxOfRun(db, start);

  const { reEmitted } = await replay('fulfilment-service', 'fulfilment.events', firstIds.length, async () => {
    await deleteAsSuperuser(db, [
      ['DELETE FROM fulfilment_transition WHERE order_id = ANY($1::uuid[])', [orderIds]],
      ['DELETE FROM shipment WHERE order_id = ANY($1::uuid[])', [orderIds]],
      ['DELETE FROM reservation WHERE order_id = ANY($1::uuid[])', [orderIds]],
      ['DELETE FROM fulfilment_order WHERE order_id = ANY($1::uuid[])', [orderIds]],
      // the stock of the run's SKUs goes back to what it was before the orders (each order has its own SKU)
      ...stockBefore.map((s): [string, unknown[]] => ['UPDATE stock SET on_hand = $2, reserved = $3 WHERE sku = $1', [s['sku'], s['on_hand'], s['reserved']]]),
      ['DELETE FROM inbox WHERE (handler, event_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))', [inboxBefore.map((r) => r['handler']), inboxBefore.map((r) => r['event_id'])]],
    ]);
  });

  expect(await snapshot()).toEqual(before);
  expect(reEmitted).toEqual(first);
  expect(await downstreamOf(firstIds, orderIds)).toEqual(downstreamBefore);
});
