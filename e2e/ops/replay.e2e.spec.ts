import { Kafka, logLevel } from 'kafkajs';
import { moveGroupsToEnd, queryAsSuperuser, requestJson, runOps, startOps, waitFor } from '@paystate/testing';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { CONSUMERS, FAST_PAYMENTS, SAGA_SERVICES, Saga, SagaService, uniqueSku, unshippableSku } from '../saga/support/saga';
import { groupOffsets, quiescentSnapshot } from './support/snapshots';

/**
 * `ops replay` on the real stack, through the real CLI process. The key test: after orders down
 * every path the saga can take, every consumer group is replayed from the start of this run with
 * every service stopped; once the services are started again and have re-read everything, no table
 * of any service and no topic has changed, and the report says every replayed record was
 * deduplicated (nothing processed a second time).
 */
/** The saga harness, with more patience for a service to come up (the CI machine is shared). */
class PatientSaga extends Saga {
  override async startService(service: SagaService, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const p = await startServiceProcess(this.info, service, { ...(service === 'payment-service' ? FAST_PAYMENTS : {}), ...env }, { timeoutMs: 240_000 });
    this.processes.set(service, p);
    return p;
  }
}
const saga = new PatientSaga();
const GROUPS = Object.keys(CONSUMERS);
const DATABASE: Record<string, string> = {
  'order-service': 'paystate_order',
  'payment-service': 'paystate_payment',
  'ledger-service': 'paystate_ledger',
  'fulfilment-service': 'paystate_fulfilment',
  'notification-service': 'paystate_notification',
};

/** The offsets every group was at before the run, and the run's start time. */
const before: Record<string, Record<string, number>> = {};
let runStart = '';

interface PartitionPlanJson { topic: string; partition: number; current: number | null; target: number; low: number; high: number; toReplay: number; belowHorizon: number | null; firstRecordAt: string | null }
interface ReplayJson {
  dryRun: boolean;
  plan: { group: string; partitions: PartitionPlanJson[]; toReplay: number; horizon: { prunedThrough: string | null }; retentionMs: Record<string, number | null> };
  verified?: boolean;
  caughtUp?: boolean;
  ranges?: { topic: string; partition: number; from: number; to: number; records: number; processed: number; deduplicated: number; deadLettered: number; ignored: number }[];
  totals?: { records: number; processed: number; deduplicated: number; deadLettered: number; ignored: number };
}
interface ErrorJson { error: { message: string; exitCode: number; details?: Record<string, unknown> } }

async function duplicatesCounted(service: string, group: string): Promise<number> {
  const text = (await requestJson<string>(`${saga.url(service as SagaService)}/metrics`)).body;
  return text
    .split('\n')
    .filter((l) => l.startsWith('paystate_messages_consumed_total{') && l.includes(`group="${group}"`) && l.includes('outcome="duplicate"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

beforeAll(async () => {
  // what saga.start() does first, done here so the offsets before the run can be recorded
  for (const [group, topics] of Object.entries(CONSUMERS)) await moveGroupsToEnd(saga.brokers, [group], topics);
  for (const [group, topics] of Object.entries(CONSUMERS)) before[group] = await groupOffsets(saga.brokers, group, topics);
  runStart = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  await saga.start();

  // one order down each path the saga can take
  const happy = uniqueSku('replay-happy');
  const outOfStock = uniqueSku('replay-oos');
  const declined = uniqueSku('replay-declined');
  const unshippable = unshippableSku('replay-refund');
  await saga.setStock(happy, 5);
  await saga.setStock(outOfStock, 0);
  await saga.setStock(declined, 5);
  await saga.setStock(unshippable, 5);
  const orders = [
    { o: await saga.placeOrder({ sku: happy }), done: (s: { status: string }) => s.status === 'COMPLETED' },
    { o: await saga.placeOrder({ sku: declined, paymentMethod: 'tok_decline' }), done: (s: { status: string }) => s.status === 'CANCELLED' },
    { o: await saga.placeOrder({ sku: outOfStock }), done: (s: { status: string }) => s.status === 'CANCELLED' },
    { o: await saga.placeOrder({ sku: unshippable }), done: (s: { status: string; refunded: boolean }) => s.status === 'CANCELLED' && s.refunded },
  ];
  for (const { o, done } of orders) await saga.waitOrder(o.id, 'to reach its terminal state', done, 300_000);
  await saga.caughtUp(300_000);
}, 1_200_000);

afterAll(async () => {
  await saga.stop();
});

it('replays every consumer group from the start of the run with the services stopped: nothing changes anywhere and everything is deduplicated', async () => {
  const quiet = await quiescentSnapshot(saga.brokers);
  await saga.stop();

  // the dry run resolves the run's start time to exactly the offsets the groups were at before it
  for (const group of GROUPS) {
    const dry = await runOps(['replay', '--group', group, '--to-time', runStart]);
    expect([group, dry.code, dry.stderr.includes('dry run')]).toEqual([group, 0, true]);
    const plan = (dry.json as ReplayJson).plan;
    expect(Object.fromEntries(plan.partitions.map((p) => [`${p.topic}:${p.partition}`, p.target]))).toEqual(Object.fromEntries(Object.entries(before[group]!).map(([k, v]) => [k, Math.max(v, 0)])));
  }
  const totalToReplay: Record<string, number> = {};

  // every group reset, each by its own ops process, which then waits for its service
  const runs = [];
  for (const group of GROUPS) {
    const run = startOps(['replay', '--group', group, '--to-time', runStart, '--execute', '--reason', 'e2e: replay the whole run', '--yes', '--no-input', '--timeout', 'PT15M']);
    await run.stderrMatches(/offsets written and verified/, 300_000);
    runs.push({ group, run });
    // offsets are at the plan's while the group waits for its members
    expect(await groupOffsets(saga.brokers, group, CONSUMERS[group]!)).toEqual(Object.fromEntries(Object.entries(before[group]!).map(([k, v]) => [k, Math.max(v, 0)])));
  }
  await saga.startService('processor-sim');
  await Promise.all(SAGA_SERVICES.filter((s) => s !== 'processor-sim').map((s) => saga.startService(s)));

  for (const { group, run } of runs) {
    const result = await run.done;
    expect([group, result.code, result.stderr.slice(-2000)]).toEqual([group, 0, expect.any(String)]);
    const r = result.json as ReplayJson;
    expect(r).toMatchObject({ dryRun: false, verified: true, caughtUp: true });
    const t = r.totals!;
    totalToReplay[group] = t.records;
    expect([group, t.records]).toEqual([group, r.plan.toReplay]);
    // nothing applied a second time, nothing dead-lettered; every record with a handler deduplicated
    expect([group, t.processed, t.deadLettered]).toEqual([group, 0, 0]);
    expect(t.deduplicated + t.ignored).toBe(t.records);
    // the inbox itself, by offset, counts the records in range that have a handler
    let withHandler = 0;
    for (const p of r.ranges!) {
      const [row] = await queryAsSuperuser<{ n: string }>(DATABASE[group]!, `SELECT count(*) AS n FROM inbox WHERE handler LIKE $1 AND topic = $2 AND kafka_partition = $3 AND kafka_offset >= $4 AND kafka_offset < $5`, [`${group}.%`, p.topic, p.partition, p.from, p.to]);
      withHandler += Number(row!.n);
    }
    expect([group, t.deduplicated]).toEqual([group, withHandler]);
    // and the service's own metric agrees: it saw that many duplicates since it started
    expect([group, await duplicatesCounted(group, group)]).toEqual([group, t.deduplicated]);
  }
  // every path produced records for someone to replay
  expect(Object.values(totalToReplay).reduce((s, n) => s + n, 0)).toBeGreaterThan(20);

  const after = await quiescentSnapshot(saga.brokers);
  expect(after.topics).toEqual(quiet.topics);
  expect(after.db).toEqual(quiet.db);
}, 1_200_000);

describe('refusals (exit code, message, nothing changed)', () => {
  it('refuses while the group has members (75), names them and leaves the offsets alone', async () => {
    if (!saga.processes.has('ledger-service')) await saga.startService('ledger-service');
    await waitFor('ledger-service to join its group', async () => ((await runOps(['lag', '--group', 'ledger-service'])).json as { groups: { members: unknown[] }[] }).groups[0]!.members.length > 0 || undefined, { timeoutMs: 60_000, intervalMs: 1000 });
    const offsets = await groupOffsets(saga.brokers, 'ledger-service', CONSUMERS['ledger-service']!);
    const r = await runOps(['replay', '--group', 'ledger-service', '--to-time', runStart, '--execute', '--reason', 'e2e: must be refused', '--yes', '--no-input']);
    expect(r.code).toBe(75);
    const err = (r.json as ErrorJson).error;
    expect(err.message).toMatch(/ledger-service is \w+ with 1 member/);
    expect((err.details as { members: { clientId: string }[] }).members).toHaveLength(1);
    expect(await groupOffsets(saga.brokers, 'ledger-service', CONSUMERS['ledger-service']!)).toEqual(offsets);
    await saga.stop();
  }, 120_000);

  it('rejects bad input with 64: an unknown group or topic, a time without a zone, --execute without --reason', async () => {
    expect((await runOps(['replay', '--group', 'no-such-group', '--to-offset', '0'])).code).toBe(64);
    expect((await runOps(['replay', '--group', 'ledger-service', '--topic', 'order.events', '--to-offset', '0'])).code).toBe(64);
    const zoneless = await runOps(['replay', '--group', 'ledger-service', '--to-time', '2026-12-01T10:00:00']);
    expect(zoneless.code).toBe(64);
    expect((zoneless.json as ErrorJson).error.message).toMatch(/no zone/);
    expect((await runOps(['replay', '--group', 'ledger-service', '--by-duration', '15 minutes'])).code).toBe(64);
    expect((await runOps(['replay', '--group', 'ledger-service', '--to-offset', '0', '--execute'])).code).toBe(64);
    expect((await runOps(['replay', '--group', 'ledger-service', '--to-offset', '0', '--to-time', runStart])).code).toBe(64);
  }, 120_000);

  it('refuses to run unconfirmed under --no-input (77) and says so when Kafka is unreachable (69)', async () => {
    const offsets = await groupOffsets(saga.brokers, 'ledger-service', CONSUMERS['ledger-service']!);
    expect((await runOps(['replay', '--group', 'ledger-service', '--to-time', runStart, '--execute', '--reason', 'e2e', '--no-input'])).code).toBe(77);
    expect(await groupOffsets(saga.brokers, 'ledger-service', CONSUMERS['ledger-service']!)).toEqual(offsets);
    const down = await runOps(['--brokers', '127.0.0.1:1', 'replay', '--group', 'ledger-service', '--to-time', runStart]);
    expect(down.code).toBe(69);
    expect((down.json as ErrorJson).error.message).toMatch(/Kafka/);
  }, 120_000);

  it('refuses a start below the dedup horizon (77) with the count of records below it, the horizon and the retention', async () => {
    await queryAsSuperuser('paystate_ledger', `INSERT INTO inbox_horizon (handler, pruned_through, pruned_rows) VALUES ('ledger-service.E2eHorizonProbe', now(), 1)`);
    try {
      const r = await runOps(['replay', '--group', 'ledger-service', '--to-time', runStart, '--execute', '--reason', 'e2e', '--yes', '--no-input']);
      expect(r.code).toBe(77);
      const err = (r.json as ErrorJson).error;
      const plan = err.details!['plan'] as ReplayJson['plan'];
      expect(err.details!['belowHorizon']).toBe(plan.toReplay);
      expect(plan.toReplay).toBeGreaterThan(0);
      expect(plan.horizon.prunedThrough).not.toBeNull();
      expect(plan.retentionMs['payment.events']).toBeGreaterThan(0);
      expect(err.message).toMatch(/dedup horizon/);
    } finally {
      await queryAsSuperuser('paystate_ledger', `DELETE FROM inbox_horizon WHERE handler = 'ledger-service.E2eHorizonProbe'`);
    }
  }, 120_000);

  it('refuses a start before the log start (77) unless --allow-truncated', async () => {
    // records before this run are deleted from one partition: its log start moves past them
    const admin = new Kafka({ clientId: 'e2e-replay', brokers: saga.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    let topic = '';
    let partition = -1;
    let start = 0;
    try {
      for (const t of CONSUMERS['order-service']!) {
        const p = (await admin.fetchTopicOffsets(t)).find((x) => Number(x.high) > 0);
        if (p) {
          topic = t;
          partition = p.partition;
          start = Math.max(Number(p.low) + 1, Number(before['order-service']![`${t}:${p.partition}`] ?? 1));
          break;
        }
      }
      expect(partition).toBeGreaterThanOrEqual(0);
      await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(start) }] });
    } finally {
      await admin.disconnect();
    }
    const scope = ['--group', 'order-service', '--topic', topic, '--partition', String(partition)];
    const byOffset = await runOps(['replay', ...scope, '--to-offset', '0']);
    expect(byOffset.code).toBe(77);
    expect((byOffset.json as ErrorJson).error.message).toMatch(/before the log start/);
    const byTime = await runOps(['replay', ...scope, '--to-time', '2020-01-01T00:00:00Z']);
    expect(byTime.code).toBe(77);
    const allowed = await runOps(['replay', ...scope, '--to-offset', '0', '--allow-truncated']);
    expect(allowed.code).toBe(0);
    expect((allowed.json as ReplayJson).plan.partitions[0]).toMatchObject({ target: start, low: start });
  }, 120_000);
});
