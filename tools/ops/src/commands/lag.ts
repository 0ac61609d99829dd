import type { CommandModule } from '../command';
import type { OpsContext } from '../context';
import { ConnectorView, SlotInfo, replicationSlots } from '../cdc/slots';
import { EXIT, ExitCode } from '../errors';
import { GroupMember, committedOffsets, describeGroup, key, partitionRanges, recordTimestamps } from '../kafka/offsets';
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

interface LagReport {
  groups: GroupLag[];
  connectors: ConnectorView[];
  slots: SlotInfo[];
  healthy: boolean;
  problems: string[];
}

const secs = (s: number | null): string => (s === null ? 'unknown' : s === 0 ? '0s' : formatDuration(s * 1000));

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
  out.push('', r.healthy ? 'healthy' : `UNHEALTHY:\n${r.problems.map((p) => `  - ${p}`).join('\n')}`);
  return out.join('\n');
}

const bytes = (n: number | null): string => (n === null ? 'unknown' : n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

/** `ops lag`: consumer lag in records and seconds, connector tasks against their slots, and the slots' WAL. */
export const lagCommands: CommandModule = (program, action) => {
  program
    .command('lag')
    .description('consumer lag per group/topic/partition in records and seconds, group state and members; connectors (task state cross-checked with the replication slot) and slots (retained WAL, wal_status); exit 1 if anything is unhealthy')
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
        const report: LagReport = { groups, connectors, slots, healthy: problems.length === 0, problems };
        ctx.out.result(report, render);
        return report.healthy ? EXIT.ok : EXIT.failure;
      }),
    );
};
