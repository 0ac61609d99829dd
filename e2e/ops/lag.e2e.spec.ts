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
interface LagJson {
  groups: { group: string; state: string; members: unknown[]; partitions: PartitionLagJson[]; lag: number; maxLagSeconds: number | null }[];
  connectors: { connector: string; streaming: boolean; tasks: { state: string; health: string }[]; slot: { active: boolean } | null; problems: string[] }[];
  slots: { slot: string; active: boolean; walStatus: string | null; retainedBytes: number | null }[];
  healthy: boolean;
  problems: string[];
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

it('on a healthy stack: exit 0, lag in records and in seconds per partition, connectors streaming, slots with their WAL', async () => {
  await moveGroupsToEnd(brokers, [GROUP], [TOPIC]);
  // one record past the committed offset, a minute old (what the lag time must show)
  const producer = new Kafka({ clientId: 'e2e-lag', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const writtenAt = Date.now() - 60_000;
  try {
    await producer.send({ topic: TOPIC, messages: [{ partition: 1, key: 'e2e-lag', value: '{}', timestamp: String(writtenAt), headers: { eventType: 'E2eLagProbe' } }] });
  } finally {
    await producer.disconnect();
  }
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

  const one = await runOps(['lag', '--group', GROUP]);
  expect(one.code).toBe(0);
  expect((one.json as LagJson).groups.map((g) => g.group)).toEqual([GROUP]);
}, 120_000);

it('a stopped connector: its slot goes inactive, lag and connector status say it does not stream and exit 1; restart is gated, then brings it back', async () => {
  expect((await connect('PUT', '/connectors/ledger-outbox/stop')).ok).toBe(true);
  await waitFor('the ledger slot to go inactive', async () => ((await slotActive('paystate_ledger_outbox')) ? undefined : true), { timeoutMs: 60_000, intervalMs: 500 });

  const r = await runOps(['lag', '--service', 'ledger-service']);
  expect(r.code).toBe(1);
  const lag = r.json as LagJson;
  expect(lag.healthy).toBe(false);
  expect(lag.connectors[0]).toMatchObject({ connector: 'ledger-outbox', streaming: false, slot: { active: false } });
  expect(lag.connectors[0]!.tasks.every((t) => t.health === 'streaming') && lag.connectors[0]!.tasks.length > 0).toBe(false);
  expect(lag.problems.join('\n')).toMatch(/ledger-outbox/);

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
}, 180_000);

it('says which part is unreachable: Connect (69), Kafka (69); an unknown service or group is a usage error (64)', async () => {
  const connectDown = await runOps(['--connect-url', 'http://127.0.0.1:1', 'lag']);
  expect(connectDown.code).toBe(69);
  expect((connectDown.json as { error: { message: string } }).error.message).toMatch(/Kafka Connect/);
  expect((await runOps(['--brokers', '127.0.0.1:1', 'lag'])).code).toBe(69);
  expect((await runOps(['lag', '--group', 'no-such-group'])).code).toBe(64);
  expect((await runOps(['lag', '--service', 'no-such-service'])).code).toBe(64);
}, 120_000);
