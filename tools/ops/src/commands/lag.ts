import type { CommandModule } from '../command';
import type { OpsContext } from '../context';
import { ConnectorView, SlotInfo, replicationSlots } from '../cdc/slots';
import { OffsetComparison, compareOffset, lsnToNumber, readStoredOffsets } from '../cdc/source-offsets';
import { EXIT, ExitCode, describe } from '../errors';
import { LagSampleStore } from '../kafka/lag-samples';
import { GroupMember, committedOffsets, describeGroup, key, partitionRanges, recordTimestamps } from '../kafka/offsets';
import { PartitionFigures, PartitionTrend, Sample, SlotFigures, SlotTrend, partitionTrend, slotTrend } from '../kafka/trend';
import { orUnknown, table } from '../output';
import { formatDuration } from '../replay/time';
import { serviceOfGroup, ServiceSettings } from '../settings';
import { readConnectors, renderConnectors } from './connector';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** null: the group has committed nothing here (it would start at the log start). */
  committed: number | null;
  logStart: number;
  end: number;
  lag: number;
  /** Age of the oldest unconsumed record: now − its timestamp; 0 with no lag; null when it could not be read. */
  lagSeconds: number | null;
  oldestUnconsumedAt: string | null;
}

export interface GroupLag {
  group: string;
  service: string;
  state: string;
  members: GroupMember[];
  partitions: PartitionLag[];
  lag: number;
  maxLagSeconds: number | null;
}

/** One group's lag per partition; the age of the oldest unconsumed record comes from one peek per partition that lags. */
export async function groupLag(ctx: OpsContext, svc: ServiceSettings): Promise<GroupLag> {
  const admin = await ctx.kafka();
  const group = svc.group!;
  const [state, committed, ranges] = await Promise.all([
    describeGroup(admin, group),
    committedOffsets(admin, group, svc.consumes),
    Promise.all(svc.consumes.map(async (topic) => ({ topic, ranges: await partitionRanges(admin, topic) }))),
  ]);
  const rows = ranges.flatMap(({ topic, ranges: rs }) =>
    rs.map((r) => {
      const c = committed.get(key(topic, r.partition)) ?? null;
      const position = Math.max(c ?? r.low, r.low);
      return { topic, partition: r.partition, committed: c, logStart: r.low, end: r.high, position, lag: Math.max(0, r.high - position) };
    }),
  );
  const lagging = rows.filter((r) => r.lag > 0);
  const stamps = await recordTimestamps(ctx.settings.kafkaBrokers, lagging.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.position })));
  const now = Date.now();
  const partitions: PartitionLag[] = rows.map((r) => {
    const ts = r.lag > 0 ? (stamps.get(key(r.topic, r.partition)) ?? null) : null;
    return {
      topic: r.topic,
      partition: r.partition,
      committed: r.committed,
      logStart: r.logStart,
      end: r.end,
      lag: r.lag,
      lagSeconds: r.lag === 0 ? 0 : ts === null ? null : Math.max(0, (now - ts) / 1000),
      oldestUnconsumedAt: ts === null ? null : new Date(ts).toISOString(),
    };
  });
  const seconds = partitions.map((p) => p.lagSeconds);
  return {
    group,
    service: svc.name,
    state: state.state,
    members: state.members,
    partitions,
    lag: partitions.reduce((s, p) => s + p.lag, 0),
    maxLagSeconds: seconds.includes(null) ? null : Math.max(0, ...(seconds as number[])),
  };
}

export interface PartitionTrendRow extends PartitionTrend {
  group: string;
  topic: string;
  partition: number;
  lag: PartitionTrend['lag'] & { now: number };
}

export interface SlotTrendRow extends SlotTrend {
  slot: string;
  unconfirmed: SlotTrend['unconfirmed'] & { now: number | null };
}

interface LagReport {
  groups: GroupLag[];
  connectors: ConnectorView[];
  slots: SlotInfo[];
  /** Debezium's stored source offset of each registered connector against its slot's confirmed_flush_lsn. */
  offsets: OffsetComparison[];
  /** The change since the previous `ops lag` (kept in paystate_ops.ops_lag_sample). */
  trend: { partitions: PartitionTrendRow[]; slots: SlotTrendRow[]; unavailable: string | null };
  healthy: boolean;
  problems: string[];
}

const partitionName = (group: string, topic: string, partition: number): string => `${group}|${topic}|${partition}`;

/** Stores this run's figures and compares them with the previous run's. A store that cannot be reached leaves the trend unknown, not the command failed. */
async function sampleTrend(ctx: OpsContext, groups: readonly GroupLag[], slots: readonly SlotInfo[], at: Date): Promise<LagReport['trend']> {
  const partitionSamples = new Map<string, Sample<PartitionFigures>>();
  for (const g of groups) for (const p of g.partitions) partitionSamples.set(partitionName(g.group, p.topic, p.partition), { at, values: { committed: p.committed, end: p.end, lag: p.lag } });
  const slotSamples = new Map<string, Sample<SlotFigures>>(
    slots.map((s) => [s.slot, { at, values: { unconfirmedBytes: s.unconfirmedBytes, retainedBytes: s.retainedBytes, confirmedFlush: lsnToNumber(s.confirmedFlushLsn) } }]),
  );
  let previousPartitions = new Map<string, Sample<PartitionFigures>>();
  let previousSlots = new Map<string, Sample<SlotFigures>>();
  let unavailable: string | null = null;
  try {
    const store = new LagSampleStore(ctx.settings.pgSuperuserUrl);
    previousPartitions = await store.exchange('partition', partitionSamples);
    previousSlots = await store.exchange('slot', slotSamples);
  } catch (error) {
    unavailable = `the previous sample could not be read or stored: ${describe(error)}`;
  }
  const known = unavailable === null;
  return {
    unavailable,
    partitions: groups.flatMap((g) =>
      g.partitions.map((p): PartitionTrendRow => {
        const name = partitionName(g.group, p.topic, p.partition);
        const t = partitionTrend(known ? previousPartitions.get(name) : undefined, partitionSamples.get(name)!);
        return { group: g.group, topic: p.topic, partition: p.partition, ...t, lag: { ...t.lag, now: p.lag } };
      }),
    ),
    slots: slots.map((s): SlotTrendRow => {
      const t = slotTrend(known ? previousSlots.get(s.slot) : undefined, slotSamples.get(s.slot)!);
      return { slot: s.slot, ...t, unconfirmed: { ...t.unconfirmed, now: s.unconfirmedBytes } };
    }),
  };
}

async function compareOffsets(ctx: OpsContext, connectors: readonly ConnectorView[]): Promise<OffsetComparison[]> {
  return Promise.all(
    connectors.map(async (c) => {
      if (!c.registered) return compareOffset(c.connector, c.slotName, null, c.slot?.confirmedFlushLsn ?? null, 'not registered in Kafka Connect');
      const { offsets, why } = await readStoredOffsets(ctx.connect, c.connector);
      return compareOffset(c.connector, c.slotName, offsets, c.slot?.confirmedFlushLsn ?? null, why);
    }),
  );
}

const secs = (s: number | null): string => (s === null ? 'unknown' : s === 0 ? '0s' : formatDuration(s * 1000));
const signed = (n: number | null, unit: (n: number) => string = String): string => (n === null ? 'unknown' : n > 0 ? `+${unit(n)}` : n < 0 ? `-${unit(-n)}` : unit(0));
const rate = (n: number | null, unit: string): string => (n === null ? 'unknown' : `${n.toFixed(n !== 0 && Math.abs(n) < 10 ? 2 : 0)} ${unit}/s`);
const byteRate = (n: number | null): string => (n === null ? 'unknown' : `${n < 0 ? '-' : ''}${bytes(Math.round(Math.abs(n)))}/s`);
const sinceCell = (since: string | null, seconds: number | null): string => (since === null ? 'no earlier sample' : `${secs(seconds)} ago`);

function render(r: LagReport): string {
  const out: string[] = [];
  out.push(
    table(
      ['group', 'state', 'members', 'topic', 'part', 'committed', 'end', 'lag', 'lag time', 'oldest unconsumed'],
      r.groups.flatMap((g) =>
        g.partitions.map((p) => [g.group, g.state, String(g.members.length), p.topic, String(p.partition), p.committed === null ? 'none' : String(p.committed), String(p.end), String(p.lag), secs(p.lagSeconds), p.oldestUnconsumedAt ?? '-']),
      ),
    ),
  );
  out.push('', table(['group', 'lag', 'max lag time', 'members'], r.groups.map((g) => [g.group, String(g.lag), secs(g.maxLagSeconds), g.members.map((m) => m.clientId).join(',') || '-'])));
  if (r.connectors.length) out.push('', renderConnectors(r.connectors));
  if (r.slots.length)
    out.push(
      '',
      table(
        ['slot', 'database', 'active', 'wal_status', 'retained', 'unconfirmed', 'safe_wal_size'],
        r.slots.map((s) => [s.slot, s.database ?? 'unknown', String(s.active), orUnknown(s.walStatus), bytes(s.retainedBytes), bytes(s.unconfirmedBytes), s.safeWalSize === null ? 'unlimited/unknown' : bytes(s.safeWalSize)]),
      ),
    );
  if (r.offsets.length)
    out.push(
      '',
      table(
        ['connector', 'slot', 'stored offset LSN', 'confirmed_flush_lsn', 'gap', 'verdict'],
        r.offsets.map((o) => [o.connector, o.slot ?? 'unknown', o.offsetLsn ? `${o.offsetLsn} (${o.offsetKey})` : 'none', orUnknown(o.confirmedFlushLsn), signed(o.gapBytes, (n) => bytes(n)), o.note ? `${o.verdict}: ${o.note}` : o.verdict]),
      ),
    );
  out.push('', r.trend.unavailable ? `trend unknown: ${r.trend.unavailable}` : 'since the previous `ops lag`:');
  if (!r.trend.unavailable) {
    out.push(
      table(
        ['group', 'topic', 'part', 'lag', 'change', 'lag rate', 'produced', 'consumed', 'trend', 'previous sample'],
        r.trend.partitions.map((t) => [t.group, t.topic, String(t.partition), String(t.lag.now), signed(t.lag.delta), rate(t.lag.perSecond, 'msg'), rate(t.producedPerSecond, 'msg'), rate(t.consumedPerSecond, 'msg'), t.direction, sinceCell(t.since, t.seconds)]),
      ),
    );
    if (r.trend.slots.length)
      out.push(
        '',
        table(
          ['slot', 'unconfirmed', 'change', 'rate', 'retained change', 'confirmed', 'trend', 'previous sample'],
          r.trend.slots.map((t) => [t.slot, bytes(t.unconfirmed.now), signed(t.unconfirmed.delta, (n) => bytes(n)), byteRate(t.unconfirmed.perSecond), signed(t.retained.delta, (n) => bytes(n)), byteRate(t.confirmedPerSecond), t.direction, sinceCell(t.since, t.seconds)]),
        ),
      );
  }
  out.push('', r.healthy ? 'healthy' : `UNHEALTHY:\n${r.problems.map((p) => `  - ${p}`).join('\n')}`);
  return out.join('\n');
}

const bytes = (n: number | null): string => (n === null ? 'unknown' : n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** `ops lag`: consumer lag in records and seconds, connector tasks against their slots, and the slots' WAL. */
export const lagCommands: CommandModule = (program, action) => {
  program
    .command('lag')
    .description(
      "consumer lag per group/topic/partition in records and seconds, group state and members; connectors (task state cross-checked with the replication slot, Debezium's stored offset against the slot's confirmed_flush_lsn) and slots (retained WAL, wal_status); the change and rate since the previous run; exit 1 if anything is unhealthy",
    )
    .option('--group <group>', 'only this consumer group')
    .option('--service <service>', "only this service's group and connector")
    .action(
      action(async (ctx, opts: { group?: string; service?: string }): Promise<ExitCode> => {
        const chosen: ServiceSettings[] = [];
        if (opts.group) chosen.push(serviceOfGroup(ctx.settings, opts.group));
        if (opts.service) chosen.push(ctx.service(opts.service));
        const all = chosen.length === 0;
        const services = all ? Object.values(ctx.settings.services) : [...new Map(chosen.map((s) => [s.name, s])).values()];
        const groups = await Promise.all(services.filter((s) => s.group).map((s) => groupLag(ctx, s)));
        const connectorServices = opts.group && !opts.service ? [] : services.filter((s) => s.connector).map((s) => s.name);
        const connectors = connectorServices.length ? await readConnectors(ctx, connectorServices) : [];
        const slotNames = new Set(connectors.map((c) => c.slotName));
        const slots = all || connectors.length ? [...(await ctx.withSuperuser('postgres', replicationSlots)).values()].filter((s) => all || slotNames.has(s.slot)) : [];
        const problems: string[] = [];
        for (const g of groups) for (const p of g.partitions) if (p.lagSeconds === null) problems.push(`${g.group} ${p.topic}[${p.partition}]: the age of the oldest unconsumed record could not be read`);
        for (const c of connectors) problems.push(...c.problems);
        for (const s of slots) {
          if (connectors.some((c) => c.slotName === s.slot)) continue; // already judged with its connector
          if (!s.active) problems.push(`replication slot ${s.slot} is inactive`);
          if (s.walStatus === 'unreserved' || s.walStatus === 'lost') problems.push(`replication slot ${s.slot} wal_status is ${s.walStatus}`);
        }
        const offsets = await compareOffsets(ctx, connectors);
        for (const o of offsets) if (o.problem) problems.push(`${o.connector}: stored offset ${o.offsetLsn} is behind slot ${o.slot}'s confirmed_flush_lsn ${o.confirmedFlushLsn} by ${o.gapBytes} bytes`);
        const trend = await sampleTrend(ctx, groups, slots, new Date());
        const report: LagReport = { groups, connectors, slots, offsets, trend, healthy: problems.length === 0, problems };
        ctx.out.result(report, render);
        return report.healthy ? EXIT.ok : EXIT.failure;
      }),
    );
};
