import { Kafka, logLevel } from 'kafkajs';
import { moveGroupsToEnd, queryAsSuperuser, runOps, testStack, waitFor } from '@paystate/testing';

/**
 * `ops lag` and `ops connector status|restart` on the real stack, through the real CLI process.
 * No service runs here: the lag is made by writing one record, dated a minute ago, past a stopped
 * group's committed offset; the "not streaming" connector is stopped through Connect's REST API (KIP-875 `stop`: its task goes
 * away and its replication slot is released; a mere pause keeps the replication connection open).
 */
const info = testStack();
const brokers = info.kafka.brokers;
const GROUP = 'order-service';
const TOPIC = 'ledger.events';

interface PartitionLagJson { topic: string; partition: number; committed: number | null; end: number; lag: number; lagSeconds: number | null; oldestUnconsumedAt: string | null }
interface ChangeJson { delta: number | null; perSecond: number | null }
interface LagJson {
  groups: { group: string; state: string; members: unknown[]; partitions: PartitionLagJson[]; lag: number; maxLagSeconds: number | null }[];
  connectors: { connector: string; streaming: boolean; tasks: { state: string; health: string }[]; slot: { active: boolean } | null; problems: string[] }[];
  slots: { slot: string; active: boolean; walStatus: string | null; retainedBytes: number | null }[];
  offsets: { connector: string; slot: string | null; offsetLsn: string | null; confirmedFlushLsn: string | null; gapBytes: number | null; verdict: string; problem: boolean }[];
  trend: {
    unavailable: string | null;
    partitions: { group: string; topic: string; partition: number; since: string | null; lag: ChangeJson & { now: number }; producedPerSecond: number | null; direction: string }[];
    slots: { slot: string; since: string | null; unconfirmed: ChangeJson & { now: number | null }; direction: string }[];
  };
  healthy: boolean;
  problems: string[];
}

async function probe(messages: number, writtenAt: number): Promise<void> {
  const producer = new Kafka({ clientId: 'e2e-lag', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic: TOPIC, messages: Array.from({ length: messages }, () => ({ partition: 1, key: 'e2e-lag', value: '{}', timestamp: String(writtenAt), headers: { eventType: 'E2eLagProbe' } })) });
  } finally {
    await producer.disconnect();
  }
}

const connect = (method: string, path: string): Promise<Response> => fetch(`${info.connectUrl}${path}`, { method });

async function slotActive(slot: string): Promise<boolean> {
  const [row] = await queryAsSuperuser<{ active: boolean }>('postgres', 'SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return row?.active === true;
}

afterAll(async () => {
  // leave the group where the next suite expects nothing of it
  await moveGroupsToEnd(brokers, [GROUP], [TOPIC]);
  await connect('PUT', '/connectors/ledger-outbox/resume');
  await waitFor('ledger-outbox to stream again', async () => (await slotActive('paystate_ledger_outbox')) || undefined, { timeoutMs: 60_000, intervalMs: 500 });
});

it('on a healthy stack: exit 0, lag in records and in seconds per partition, connectors streaming, stored offsets in step with their slots; a second run shows the lag grown since the first', async () => {
  await moveGroupsToEnd(brokers, [GROUP], [TOPIC]);
  // one record past the committed offset, a minute old (what the lag time must show)
  const writtenAt = Date.now() - 60_000;
  await probe(1, writtenAt);
  const r = await runOps(['lag']);
  expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
  const lag = r.json as LagJson;
  expect(lag.healthy).toBe(true);
  expect(lag.groups.map((g) => g.group).sort()).toEqual(['fulfilment-service', 'ledger-service', 'notification-service', 'order-service', 'payment-service']);
  const order = lag.groups.find((g) => g.group === GROUP)!;
  const part = order.partitions.find((p) => p.topic === TOPIC && p.partition === 1)!;
  expect(part).toMatchObject({ lag: 1, oldestUnconsumedAt: new Date(writtenAt).toISOString() });
  expect(part.lagSeconds).toBeGreaterThanOrEqual(60);
  expect(part.lagSeconds).toBeLessThan(120);
  expect(order.maxLagSeconds).toBeGreaterThanOrEqual(60);
  // a partition without lag is 0 s behind, a known figure; none is unknown
  for (const g of lag.groups) for (const p of g.partitions) expect(p.lagSeconds).not.toBeNull();
  expect(lag.connectors).toHaveLength(5);
  for (const c of lag.connectors) expect([c.connector, c.streaming, c.tasks.map((t) => t.health)]).toEqual([c.connector, true, ['streaming']]);
  expect(lag.slots.length).toBeGreaterThanOrEqual(5);
  for (const s of lag.slots) expect(s.retainedBytes).not.toBeNull();

  // Debezium's stored offset of every connector against its slot: known, and not behind the slot
  expect(lag.offsets.map((o) => o.connector).sort()).toEqual(lag.connectors.map((c) => c.connector).sort());
  for (const o of lag.offsets) {
    expect([o.connector, o.verdict]).toEqual([o.connector, expect.stringMatching(/^(in step|slot behind offset)$/)]);
    expect(o.gapBytes).not.toBeNull();
    expect(o.offsetLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  }

  // the trend: three more records behind the stopped group, then the second run shows the lag grow by them
  await probe(3, writtenAt);
  const one = await runOps(['lag', '--group', GROUP]);
  expect(one.code).toBe(0);
  const second = one.json as LagJson;
  expect(second.groups.map((g) => g.group)).toEqual([GROUP]);
  expect(second.trend.unavailable).toBeNull();
  const grown = second.trend.partitions.find((p) => p.topic === TOPIC && p.partition === 1)!;
  expect(grown).toMatchObject({ group: GROUP, lag: { now: 4, delta: 3 }, direction: 'growing' });
  expect(grown.since).not.toBeNull();
  expect(grown.lag.perSecond).toBeGreaterThan(0);
  expect(grown.producedPerSecond).toBeGreaterThan(0);
  // every partition of the group had an earlier sample (the first run): its change is a known figure
  for (const p of second.trend.partitions) expect([p.topic, p.partition, p.lag.delta]).toEqual([p.topic, p.partition, expect.any(Number)]);
}, 120_000);

it('a stopped connector: its slot goes inactive and its unconfirmed WAL grows between two runs; a slot advanced past the stored offset is a gap; restart is gated, resync repairs the gap', async () => {
  expect((await connect('PUT', '/connectors/ledger-outbox/stop')).ok).toBe(true);
  await waitFor('the ledger slot to go inactive', async () => ((await slotActive('paystate_ledger_outbox')) ? undefined : true), { timeoutMs: 60_000, intervalMs: 500 });

  const r = await runOps(['lag', '--service', 'ledger-service']);
  expect(r.code).toBe(1);
  const lag = r.json as LagJson;
  expect(lag.healthy).toBe(false);
  expect(lag.connectors[0]).toMatchObject({ connector: 'ledger-outbox', streaming: false, slot: { active: false } });
  expect(lag.connectors[0]!.tasks.every((t) => t.health === 'streaming') && lag.connectors[0]!.tasks.length > 0).toBe(false);
  expect(lag.problems.join('\n')).toMatch(/ledger-outbox/);

  // "slot lag growing", confirmed with two calls: WAL written while nothing reads the slot (in another database: the
  // slot's unconfirmed bytes count the whole server's WAL, and nothing reaches Kafka) grows its unconfirmed WAL
  await queryAsSuperuser('postgres', "SELECT pg_logical_emit_message(false, 'e2e-lag', repeat('x', 200000))");
  const again = (await runOps(['lag', '--service', 'ledger-service'])).json as LagJson;
  const slotTrend = again.trend.slots.find((s) => s.slot === 'paystate_ledger_outbox')!;
  expect(slotTrend.since).not.toBeNull();
  expect(slotTrend.direction).toBe('growing');
  expect(slotTrend.unconfirmed.delta).toBeGreaterThanOrEqual(200_000);
  expect(slotTrend.unconfirmed.perSecond).toBeGreaterThan(0);

  // a slot advanced past Debezium's stored offset behind its back: the gap and the verdict, and exit 1
  await queryAsSuperuser('paystate_ledger', "SELECT pg_replication_slot_advance('paystate_ledger_outbox', pg_current_wal_lsn())");
  const advanced = await runOps(['lag', '--service', 'ledger-service']);
  expect(advanced.code).toBe(1);
  const behind = (advanced.json as LagJson).offsets.find((o) => o.connector === 'ledger-outbox')!;
  expect(behind).toMatchObject({ verdict: 'offset behind slot', problem: true });
  expect(behind.gapBytes).toBeGreaterThanOrEqual(200_000);
  expect((advanced.json as LagJson).problems.join('\n')).toMatch(/stored offset .* is behind slot paystate_ledger_outbox/);

  const status = await runOps(['connector', 'status', 'ledger']);
  expect(status.code).toBe(1);

  // restart: a dry run by default, refused without --reason, then done and waited for
  const dry = await runOps(['connector', 'restart', 'ledger-service']);
  expect([dry.code, dry.stderr.includes('dry run')]).toEqual([0, true]);
  expect((await runOps(['connector', 'restart', 'ledger-service', '--execute'])).code).toBe(64);
  // a stopped (or paused) connector stays so through a restart: resume it, then restart and wait for it to stream
  expect((await connect('PUT', '/connectors/ledger-outbox/resume')).status).toBe(202);
  const restart = await runOps(['connector', 'restart', 'ledger-service', '--execute', '--reason', 'e2e: restart after pause', '--yes', '--no-input']);
  expect([restart.code, restart.stderr]).toEqual([0, expect.any(String)]);
  expect((restart.json as { connector: { streaming: boolean } }).connector.streaming).toBe(true);
  expect((await runOps(['connector', 'status', 'ledger'])).code).toBe(0);

  // the slot is still ahead of the stored offset: Debezium looks for its offset's LSN in a stream that starts past it, and
  // never confirms the slot again (its log: "LSN flushing is not allowed yet"). The runbook's remedy is a resync.
  expect(((await runOps(['lag', '--service', 'ledger-service'])).json as LagJson).offsets[0]).toMatchObject({ verdict: 'offset behind slot' });
  const resync = await runOps(['connector', 'resync', 'ledger-service', '--execute', '--reason', 'e2e: stored offset behind its slot', '--yes', '--no-input']);
  expect([resync.code, resync.stderr]).toEqual([0, expect.any(String)]);
  const healed = await waitFor(
    'ledger-outbox’s stored offset to be in step with its new slot',
    async () => {
      const o = ((await runOps(['lag', '--service', 'ledger-service'])).json as LagJson).offsets.find((x) => x.connector === 'ledger-outbox');
      return o && !o.problem && o.verdict !== 'no stored offset' ? o : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 2_000 },
  );
  expect(healed.verdict).toMatch(/^(in step|slot behind offset)$/);
}, 300_000);

it('says which part is unreachable: Connect (69), Kafka (69); an unknown service or group is a usage error (64)', async () => {
  const connectDown = await runOps(['--connect-url', 'http://127.0.0.1:1', 'lag']);
  expect(connectDown.code).toBe(69);
  expect((connectDown.json as { error: { message: string } }).error.message).toMatch(/Kafka Connect/);
  expect((await runOps(['--brokers', '127.0.0.1:1', 'lag'])).code).toBe(69);
  expect((await runOps(['lag', '--group', 'no-such-group'])).code).toBe(64);
  expect((await runOps(['lag', '--service', 'no-such-service'])).code).toBe(64);
}, 120_000);
