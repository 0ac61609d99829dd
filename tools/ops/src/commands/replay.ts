import type { Admin } from 'kafkajs';
import type { CommandModule } from '../command';
import type { DangerFlags, OpsContext } from '../context';
import { EXIT, ExitCode, OpsError, busy, describe, failure, refused, usageError } from '../errors';
import { databaseNow, groupHorizon, GroupHorizon, rangeCounts } from '../inbox/horizon';
import { GroupState, committedOffsets, describeGroup, existingTopics, isInactive, key, memberNames, offsetsForTime, partitionRanges, recordTimestamps, retentionMs } from '../kafka/offsets';
import { orUnknown, table } from '../output';
import { PartitionFacts, PartitionPlan, RangeReport, ReplayTarget, catchUpProgress, planPartition, rangeReport, totals } from '../replay/plan';
import { formatDuration, parseDuration, parseZonedInstant } from '../replay/time';
import { ServiceSettings, serviceOfGroup } from '../settings';

interface ReplayFlags extends DangerFlags {
  group: string;
  topic?: string[];
  partition?: string;
  toOffset?: string;
  toTime?: string;
  byDuration?: string;
  allowTruncated?: boolean;
  skew: string;
  wait: boolean;
  timeout: string;
}

/** What was asked, validated before anything is contacted (bad input changes nothing and says why). */
export interface ReplayRequest {
  svc: ServiceSettings;
  group: string;
  topics: string[];
  partition: number | null;
  target: ReplayTarget;
  allowTruncated: boolean;
  skewMs: number;
  wait: boolean;
  timeoutMs: number;
}

export function parseRequest(ctx: OpsContext, flags: ReplayFlags, now = Date.now()): ReplayRequest {
  const svc = serviceOfGroup(ctx.settings, flags.group);
  const topics = flags.topic?.length ? [...new Set(flags.topic)] : [...svc.consumes];
  for (const t of topics) if (!svc.consumes.includes(t)) throw usageError(`${flags.group} does not read topic "${t}"`, `it reads: ${svc.consumes.join(', ')}`);
  let partition: number | null = null;
  if (flags.partition !== undefined) {
    if (!flags.topic?.length) throw usageError('--partition needs --topic (partition numbers are per topic)');
    if (!/^\d+$/.test(flags.partition)) throw usageError(`--partition "${flags.partition}" is not a partition number`);
    partition = Number(flags.partition);
  }
  const given = [flags.toOffset, flags.toTime, flags.byDuration].filter((x) => x !== undefined).length;
  if (given !== 1) throw usageError('give exactly one of --to-offset N, --to-time <zoned ISO time>, --by-duration <ISO duration>');
  let target: ReplayTarget;
  if (flags.toOffset !== undefined) {
    if (!/^\d+$/.test(flags.toOffset)) throw usageError(`--to-offset "${flags.toOffset}" is not an offset (a whole number >= 0)`);
    target = { kind: 'offset', offset: Number(flags.toOffset) };
  } else if (flags.toTime !== undefined) {
    const at = parseZonedInstant(flags.toTime);
    if (at.getTime() > now) throw usageError(`--to-time ${at.toISOString()} is in the future`);
    target = { kind: 'time', at, asked: flags.toTime };
  } else {
    const ms = parseDuration(flags.byDuration!);
    target = { kind: 'time', at: new Date(now - ms), asked: `${flags.byDuration} ago` };
  }
  return { svc, group: flags.group, topics, partition, target, allowTruncated: flags.allowTruncated === true, skewMs: parseDuration(flags.skew), wait: flags.wait, timeoutMs: parseDuration(flags.timeout) };
}

export interface ReplayPlan {
  group: string;
  service: string;
  target: { kind: 'offset'; offset: number } | { kind: 'time'; asked: string; utc: string };
  state: string;
  partitions: PartitionPlan[];
  horizon: { prunedThrough: string | null; skew: string; handlers: { handler: string; prunedThrough: string }[] };
  retentionMs: Record<string, number | null>;
  toReplay: number;
  belowHorizon: number | null;
}

/** Reads everything the plan needs and computes it; refuses (75/77/64) when the replay may not run. */
export async function makePlan(ctx: OpsContext, req: ReplayRequest): Promise<ReplayPlan> {
  const admin = await ctx.kafka();
  const known = await existingTopics(admin);
  for (const t of req.topics) if (!known.has(t)) throw usageError(`topic "${t}" does not exist in Kafka`);
  const state = await describeGroup(admin, req.group);
  refuseIfActive(state);
  const horizon = await ctx.withServiceDb(req.svc.name, (db) => groupHorizon(db, req.group));
  const horizonLimit = horizon.prunedThrough ? horizon.prunedThrough.getTime() + req.skewMs : null;
  const committed = await committedOffsets(admin, req.group, req.topics);
  const facts: PartitionFacts[] = [];
  for (const topic of req.topics) {
    const ranges = (await partitionRanges(admin, topic)).filter((r) => req.partition === null || r.partition === req.partition);
    if (req.partition !== null && ranges.length === 0) throw usageError(`topic ${topic} has no partition ${req.partition}`);
    const byTime = req.target.kind === 'time' ? await offsetsForTime(admin, topic, req.target.at.getTime()) : undefined;
    const aboveHorizon = horizonLimit !== null ? await offsetsForTime(admin, topic, horizonLimit + 1) : undefined;
    for (const r of ranges) {
      facts.push({
        topic,
        partition: r.partition,
        committed: committed.get(key(topic, r.partition)) ?? null,
        low: r.low,
        high: r.high,
        ...(byTime ? { offsetForTime: byTime.get(r.partition) ?? r.high } : {}),
        firstRecordAt: null,
        ...(aboveHorizon ? { offsetAboveHorizon: aboveHorizon.get(r.partition) ?? r.high } : {}),
      });
    }
  }
  // the first record to replay on each partition: one peek for all of them
  const firstOffsets = facts.map((f) => ({ f, at: Math.min(Math.max(req.target.kind === 'offset' ? req.target.offset : (f.offsetForTime ?? f.high), f.low), f.high) }));
  const stamps = await recordTimestamps(
    ctx.settings.kafkaBrokers,
    firstOffsets.filter((x) => x.at < x.f.high).map((x) => ({ topic: x.f.topic, partition: x.f.partition, offset: x.at })),
  );
  for (const f of facts) f.firstRecordAt = stamps.get(key(f.topic, f.partition)) ?? null;
  const partitions = facts.map((f) => planPartition(f, req.target, { prunedThrough: horizon.prunedThrough, skewMs: req.skewMs }, req.allowTruncated));
  const retention = await retentionMs(admin, req.topics);
  const below = partitions.map((p) => p.belowHorizon);
  return {
    group: req.group,
    service: req.svc.name,
    target: req.target.kind === 'offset' ? { kind: 'offset', offset: req.target.offset } : { kind: 'time', asked: req.target.asked, utc: req.target.at.toISOString() },
    state: state.state,
    partitions,
    horizon: horizonView(horizon, req.skewMs),
    retentionMs: Object.fromEntries(retention),
    toReplay: partitions.reduce((s, p) => s + p.toReplay, 0),
    belowHorizon: below.includes(null) ? null : (below as number[]).reduce((s, n) => s + n, 0),
  };
}

const horizonView = (h: GroupHorizon, skewMs: number): ReplayPlan['horizon'] => ({
  prunedThrough: h.prunedThrough?.toISOString() ?? null,
  skew: formatDuration(skewMs),
  handlers: h.handlers.map((x) => ({ handler: x.handler, prunedThrough: x.prunedThrough.toISOString() })),
});

function refuseIfActive(state: GroupState): void {
  if (isInactive(state)) return;
  throw busy(
    `consumer group ${state.group} is ${state.state} with ${state.members.length} member(s): ${memberNames(state) || '(none listed)'}`,
    'stop every member of the group (the service) and run the replay again; its offsets were not changed',
    { group: state.group, state: state.state, members: state.members },
  );
}

/** Throws the refusal a plan's problems call for: 64 for a target beyond the end, 77 for the guards. */
export function refuseIfUnsafe(plan: ReplayPlan): void {
  const problems = plan.partitions.flatMap((p) => p.problems);
  const beyond = problems.filter((p) => p.kind === 'beyond-log-end');
  if (beyond.length) throw new OpsError(EXIT.usage, beyond.map((p) => p.message).join('\n'), 'give an offset within the log', { plan });
  const truncated = problems.filter((p) => p.kind === 'before-log-start');
  const horizon = problems.filter((p) => p.kind === 'below-horizon');
  if (truncated.length === 0 && horizon.length === 0) return;
  const lines = [...truncated, ...horizon].map((p) => p.message);
  const belowCount = horizon.reduce((s, p) => s + (p.kind === 'below-horizon' ? p.records : 0), 0);
  if (horizon.length) lines.push(`${belowCount} record(s) below the dedup horizon in all; horizon ${plan.horizon.prunedThrough} (skew ${plan.horizon.skew}); retention ${Object.entries(plan.retentionMs).map(([t, ms]) => `${t}=${retentionText(ms)}`).join(', ')}`);
  throw refused(
    `replay of ${plan.group} refused:\n  ${lines.join('\n  ')}`,
    horizon.length ? 'start the replay after the dedup horizon (a later --to-time / --to-offset); the inbox no longer remembers older records' : 'pass --allow-truncated to start at the log start anyway (the deleted records are lost to the replay)',
    { plan, belowHorizon: belowCount },
  );
}

const retentionText = (ms: number | null): string => (ms === null ? 'unknown' : ms < 0 ? 'forever' : formatDuration(ms));

function renderPlan(plan: ReplayPlan): string {
  const target = plan.target.kind === 'offset' ? `offset ${plan.target.offset}` : `${plan.target.utc} (asked: ${plan.target.asked})`;
  return [
    `replay ${plan.group} (${plan.service}) from ${target}; group ${plan.state}`,
    table(
      ['topic', 'part', 'current', 'new', 'log start', 'log end', 'first record to replay', 'to replay', 'below horizon'],
      plan.partitions.map((p) => [p.topic, String(p.partition), p.current === null ? 'none' : String(p.current), `${p.target}${p.clamped ? ` (asked ${p.requested})` : ''}`, String(p.low), String(p.high), p.firstRecordAt ?? '-', String(p.toReplay), orUnknown(p.belowHorizon ?? (plan.horizon.prunedThrough === null ? 0 : null))]),
    ),
    `records to replay: ${plan.toReplay}`,
    `dedup horizon: ${plan.horizon.prunedThrough ?? 'none (the inbox was never pruned)'} + skew ${plan.horizon.skew}   |   retention.ms: ${Object.entries(plan.retentionMs).map(([t, ms]) => `${t}=${retentionText(ms)}`).join(', ')}`,
  ].join('\n');
}

export interface ReplayResult {
  since: string;
  resumedInterruptedRun: boolean;
  /** False when this run resumed one killed after its reset: the offsets were not written again. */
  offsetsWritten: boolean;
  written: { topic: string; partition: number; offset: number }[];
  verified: boolean;
  waited: boolean;
  caughtUp: boolean;
  /** Seconds from the start of the wait to caught up, and to the first member seen in the group. */
  catchUpSeconds: number | null;
  memberJoinedAfterSeconds: number | null;
  ranges: RangeReport[];
  totals: ReturnType<typeof totals> | null;
}

/** The plan's offsets as written and compared after: topic/partition → target. */
const targetsOf = (plan: ReplayPlan): { topic: string; partition: number; offset: number }[] => plan.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.target }));

async function writeOffsets(ctx: OpsContext, admin: Admin, plan: ReplayPlan): Promise<void> {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const t of targetsOf(plan)) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), { partition: t.partition, offset: String(t.offset) }]);
  for (const [topic, partitions] of byTopic) {
    // re-checked right before each write: a member that joined since the plan stops the replay here
    refuseIfActive(await describeGroup(admin, plan.group));
    try {
      await admin.setOffsets({ groupId: plan.group, topic, partitions });
    } catch (error) {
      if (/no running instances/i.test(describe(error))) refuseIfActive(await describeGroup(admin, plan.group));
      throw failure(`writing the offsets of ${plan.group} on ${topic} failed: ${describe(error)}`, 'run the same replay again: it writes the same offsets');
    }
    ctx.out.info(`${plan.group}: offsets of ${topic} written`);
  }
}

async function verifyOffsets(admin: Admin, plan: ReplayPlan): Promise<void> {
  const committed = await committedOffsets(admin, plan.group, [...new Set(plan.partitions.map((p) => p.topic))]);
  const wrong = targetsOf(plan).filter((t) => committed.get(key(t.topic, t.partition)) !== t.offset);
  if (wrong.length) {
    throw failure(
      `the committed offsets of ${plan.group} differ from the plan after writing: ${wrong.map((t) => `${t.topic}[${t.partition}] planned ${t.offset}, committed ${orUnknown(committed.get(key(t.topic, t.partition)))}`).join('; ')}`,
      'nothing consumed them yet if the group is still empty: run the same replay again',
      { planned: targetsOf(plan), committed: Object.fromEntries(committed) },
    );
  }
}

/** Waits for a member to join and the group to commit up to the ends captured at the reset. */
async function waitCaughtUp(ctx: OpsContext, admin: Admin, plan: ReplayPlan, timeoutMs: number): Promise<{ caughtUp: boolean; joined: boolean; seconds: number; joinedAfter: number | null }> {
  const started = Date.now();
  const topics = [...new Set(plan.partitions.map((p) => p.topic))];
  const bar = ctx.out.progress(`${plan.group} replayed`, plan.toReplay);
  let joined = false;
  let joinedAfter: number | null = null;
  const elapsed = (): number => (Date.now() - started) / 1000;
  try {
    for (;;) {
      const committed = await committedOffsets(admin, plan.group, topics);
      const parts = plan.partitions.map((p) => ({ target: p.target, end: p.high, committed: committed.get(key(p.topic, p.partition)) ?? null }));
      const { done, total } = catchUpProgress(parts);
      bar.update(done, total);
      if (done >= total && parts.every((p) => (p.committed ?? -1) >= p.end || p.end === p.target)) return { caughtUp: true, joined: true, seconds: elapsed(), joinedAfter };
      if (!joined && (await describeGroup(admin, plan.group)).members.length > 0) {
        joined = true;
        joinedAfter = elapsed();
      }
      if (Date.now() - started > timeoutMs) return { caughtUp: false, joined, seconds: elapsed(), joinedAfter };
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    bar.stop();
  }
}

/** The latest replay of the group, when it did not finish and planned the same offsets: its start time is kept, so a re-run reports the same. */
async function interruptedRun(ctx: OpsContext, plan: ReplayPlan): Promise<Date | undefined> {
  const rows = await ctx.audit.recent(200);
  const last = rows.find((r) => r.command === 'replay' && (r.args as { group?: string } | null)?.group === plan.group);
  if (!last || last.outcome === 'succeeded') return undefined;
  const planned = (last.plan as { targets?: { topic: string; partition: number; offset: number }[] } | null)?.targets;
  // compared as text per partition: jsonb does not keep the order of an object's keys
  const text = (ts: readonly { topic: string; partition: number; offset: number }[]): string => ts.map((t) => `${t.topic}/${t.partition}@${t.offset}`).join(',');
  return planned && text(planned) === text(targetsOf(plan)) ? last.started_at : undefined;
}

/** Waits for the group to commit up to the plan's ends, then reports the replayed ranges from the inbox (rows since `since`). */
async function waitAndReport(ctx: OpsContext, admin: Admin, req: ReplayRequest, plan: ReplayPlan, since: Date, base: ReplayResult): Promise<ReplayResult> {
  ctx.out.info(`${plan.group}: waiting up to ${formatDuration(req.timeoutMs)} for the group to catch up; start ${plan.service} now`);
  const waited = await waitCaughtUp(ctx, admin, plan, req.timeoutMs);
  if (!waited.caughtUp) {
    throw failure(
      waited.joined
        ? `${plan.group} did not catch up within ${formatDuration(req.timeoutMs)}`
        : `no member of ${plan.group} joined within ${formatDuration(req.timeoutMs)}: start ${plan.service}`,
      'the reset is kept (see `ops audit`); `ops lag --group` shows how far it got; the same ops replay resumes the wait without resetting again',
      { written: targetsOf(plan) },
    );
  }
  const ranges = await ctx.withServiceDb(req.svc.name, (db) =>
    Promise.all(plan.partitions.map(async (p) => rangeReport({ topic: p.topic, partition: p.partition, from: p.target, to: p.high }, await rangeCounts(db, plan.group, { topic: p.topic, partition: p.partition, from: p.target, to: p.high }, since)))),
  );
  return { ...base, waited: true, caughtUp: true, catchUpSeconds: waited.seconds, memberJoinedAfterSeconds: waited.joinedAfter, ranges, totals: totals(ranges) };
}

/** The target as the audit log records it in the replay's args. */
const targetView = (t: ReplayTarget): ReplayPlan['target'] => (t.kind === 'offset' ? { kind: 'offset', offset: t.offset } : { kind: 'time', asked: t.asked, utc: t.at.toISOString() });

/** A replay whose offsets were written and verified but that did not succeed (killed while waiting, or its wait timed out). */
interface ResumableRun {
  auditId: string;
  since: Date;
  plan: ReplayPlan;
}

/**
 * The latest replay of the group, when it did not succeed but had written and verified its offsets,
 * and was asked exactly this (topics, partition, target; a `--by-duration` target moves with the
 * clock, so it never matches): its re-run resumes the wait for the same ends instead of resetting
 * the group again, past what the service has processed since (ADR 0015, "Killed and re-run").
 */
async function resumableRun(ctx: OpsContext, req: ReplayRequest): Promise<ResumableRun | undefined> {
  const rows = await ctx.audit.recent(200);
  const last = rows.find((r) => r.command === 'replay' && (r.args as { group?: string } | null)?.group === req.group);
  if (!last || last.outcome === 'succeeded') return undefined;
  const progress = last.progress as { offsetsWrittenAt?: string; since?: string } | null;
  const plan = (last.plan as { plan?: ReplayPlan } | null)?.plan;
  if (!progress?.offsetsWrittenAt || !progress.since || !plan) return undefined;
  // compared field by field: jsonb does not keep the order of an object's keys
  const asked = last.args as { topics?: string[]; partition?: number | null; target?: { kind?: string; offset?: number; asked?: string; utc?: string } };
  const want = targetView(req.target);
  const t = asked.target ?? {};
  const sameTarget = want.kind === 'offset' ? t.kind === 'offset' && t.offset === want.offset : t.kind === 'time' && t.asked === want.asked && t.utc === want.utc;
  const same = sameTarget && JSON.stringify(asked.topics ?? []) === JSON.stringify(req.topics) && (asked.partition ?? null) === req.partition;
  return same ? { auditId: last.id, since: new Date(progress.since), plan } : undefined;
}

/** The re-run of a replay killed after its reset: no reset, the same wait and report (any state of the group: it may be running). */
async function resumeWait(ctx: OpsContext, req: ReplayRequest, flags: ReplayFlags, run: ResumableRun): Promise<ExitCode> {
  const plan = run.plan;
  const args = { group: req.group, topics: req.topics, partition: req.partition, target: plan.target, allowTruncated: req.allowTruncated, wait: req.wait, resumes: run.auditId };
  const summary = `resume the replay of ${plan.group} started ${run.since.toISOString()} (audit ${run.auditId}): its offsets were written and verified, so they are not reset again; wait for the group to reach the ends planned then and report`;
  const outcome = await ctx.dangerous('replay', flags, args, { summary, detail: { targets: targetsOf(plan), plan, resumes: run.auditId } }, async (auditId): Promise<ReplayResult> => {
    ctx.out.info(`resuming the interrupted replay of ${plan.group} started ${run.since.toISOString()} (audit ${run.auditId}): its offsets were written and verified, not resetting them again`);
    await ctx.audit.progress(auditId, { offsetsWrittenAt: new Date().toISOString(), since: run.since.toISOString(), resumes: run.auditId });
    const base: ReplayResult = { since: run.since.toISOString(), resumedInterruptedRun: true, offsetsWritten: false, written: [], verified: true, waited: false, caughtUp: false, catchUpSeconds: null, memberJoinedAfterSeconds: null, ranges: [], totals: null };
    if (!req.wait) return base;
    return waitAndReport(ctx, await ctx.kafka(), req, plan, run.since, base);
  });
  if (!outcome.executed) {
    ctx.out.result({ dryRun: true, resumes: run.auditId, plan }, () => `${summary}\n${renderPlan(plan)}`);
    return EXIT.ok;
  }
  ctx.out.result({ dryRun: false, plan, auditId: outcome.auditId, resumes: run.auditId, ...outcome.result }, (d) => [renderPlan(d.plan), `resumed the replay of audit ${d.resumes} (offsets not reset again; audit ${d.auditId})`, reportLine(d)].join('\n'));
  return EXIT.ok;
}

const reportLine = (d: ReplayResult): string =>
  d.totals
    ? `caught up in ${formatDuration((d.catchUpSeconds ?? 0) * 1000)}: ${d.totals.records} record(s) replayed — processed ${d.totals.processed}, deduplicated ${d.totals.deduplicated}, dead-lettered ${d.totals.deadLettered}, ignored (no handler) ${d.totals.ignored}`
    : 'not waited for (--no-wait): `ops lag --group` shows the progress';

export const replayCommands: CommandModule = (program, action) => {
  program
    .command('replay')
    .description("reset a stopped consumer group's committed offsets to an offset, a zoned time or a duration ago, so it re-reads its topics (dedup keeps it harmless), then wait and report processed / deduplicated / dead-lettered; refuses while the group has members, before the log start and below the dedup horizon (dry run unless --execute)")
    .requiredOption('--group <group>', 'the consumer group (= the service name, e.g. ledger-service)')
    .option('--topic <topic...>', "only these of the group's topics (default: all it reads)")
    .option('--partition <n>', 'only this partition (with --topic)')
    .option('--to-offset <n>', 'start at this offset on each partition')
    .option('--to-time <iso>', 'start at the first record at or after this zoned time (2026-12-01T10:00:00Z, 2026-12-01T11:00:00+01:00)')
    .option('--by-duration <iso>', 'start this long ago (ISO-8601: PT15M, PT2H, P1D)')
    .option('--allow-truncated', 'start at the log start when the target is before it (records deleted by retention are not replayed)')
    .option('--skew <duration>', 'clock skew allowed between record timestamps and the inbox clock, for the dedup-horizon guard', 'PT1M')
    .option('--no-wait', 'do not wait for the group to catch up (no processed/deduplicated report then)')
    .option('--timeout <duration>', 'how long to wait for a member to join and the group to catch up', 'PT10M')
    .option('--execute', 'do it (default: a dry run that prints the plan)')
    .option('--dry-run', 'print the plan only (the default)')
    .option('--reason <why>', 'why (required with --execute; written to the audit log)')
    .action(
      action(async (ctx, flags: ReplayFlags): Promise<ExitCode> => {
        const req = parseRequest(ctx, flags);
        if (flags.execute && !flags.dryRun && (!flags.reason || flags.reason.trim() === '')) throw usageError('replay --execute needs --reason "<why>" (it is written to the audit log)');
        if (flags.execute === true && flags.dryRun !== true) {
          const resumable = await resumableRun(ctx, req);
          if (resumable) return resumeWait(ctx, req, flags, resumable);
        }
        const plan = await makePlan(ctx, req);
        refuseIfUnsafe(plan);
        const prior = flags.execute === true && flags.dryRun !== true ? await interruptedRun(ctx, plan) : undefined;
        const args = { group: req.group, topics: req.topics, partition: req.partition, target: plan.target, allowTruncated: req.allowTruncated, wait: req.wait };
        const executing = flags.execute === true && flags.dryRun !== true;
        if (executing && !ctx.out.json) ctx.out.info(renderPlan(plan));
        const summary = `reset ${plan.group}'s committed offsets on ${plan.partitions.length} partition(s) to replay ${plan.toReplay} record(s)`;
        const outcome = await ctx.dangerous('replay', flags, args, { summary, detail: { targets: targetsOf(plan), plan } }, async (auditId): Promise<ReplayResult> => {
          const admin = await ctx.kafka();
          const since = prior ?? (await ctx.withServiceDb(req.svc.name, databaseNow));
          if (prior) ctx.out.info(`re-running the interrupted replay started ${prior.toISOString()}, which died before its offsets were verified (same offsets): its start time is kept for the report`);
          await writeOffsets(ctx, admin, plan);
          await verifyOffsets(admin, plan);
          // from here on a re-run must not reset again: it resumes the wait (resumableRun)
          await ctx.audit.progress(auditId, { offsetsWrittenAt: new Date().toISOString(), since: since.toISOString() });
          ctx.out.info(`${plan.group}: offsets written and verified (${plan.toReplay} record(s) to replay)`);
          const base: ReplayResult = { since: since.toISOString(), resumedInterruptedRun: prior !== undefined, offsetsWritten: true, written: targetsOf(plan), verified: true, waited: false, caughtUp: false, catchUpSeconds: null, memberJoinedAfterSeconds: null, ranges: [], totals: null };
          if (!req.wait) return base;
          return waitAndReport(ctx, admin, req, plan, since, base);
        });
        if (!outcome.executed) {
          ctx.out.result({ dryRun: true, plan }, (d) => renderPlan(d.plan));
          return EXIT.ok;
        }
        const r = outcome.result;
        ctx.out.result({ dryRun: false, plan, auditId: outcome.auditId, ...r }, (d) =>
          [
            renderPlan(d.plan),
            `offsets written and verified (audit ${d.auditId})`,
            reportLine(d),
          ].join('\n'),
        );
        return EXIT.ok;
      }),
    );
};
