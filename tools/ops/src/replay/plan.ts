/**
 * The pure part of `ops replay`: from what Kafka and the inbox say about each partition, the new
 * offset, what would be replayed and which guard it breaks. No I/O here (replay.spec.ts covers it).
 */

/** Where the replay starts, as the operator asked for it. */
export type ReplayTarget = { kind: 'offset'; offset: number } | { kind: 'time'; at: Date; asked: string };

/** What ops read about one partition before planning. */
export interface PartitionFacts {
  topic: string;
  partition: number;
  /** The group's committed offset, null when it has none. */
  committed: number | null;
  /** Log start and end (high watermark). */
  low: number;
  high: number;
  /** For a time target: the first offset whose timestamp is >= the time (high when none). */
  offsetForTime?: number;
  /** Timestamp (ms) of the record at the resolved offset; null when there is none (resolved = end) or it could not be read. */
  firstRecordAt: number | null;
  /** The first offset whose timestamp is > the dedup horizon + skew (high when none); absent when the group has no horizon. */
  offsetAboveHorizon?: number;
}

export type Problem =
  | { kind: 'before-log-start'; message: string }
  | { kind: 'below-horizon'; records: number; message: string }
  | { kind: 'beyond-log-end'; message: string };

export interface PartitionPlan {
  topic: string;
  partition: number;
  current: number | null;
  /** The offset asked for (offset target) or found for the time; before clamping. */
  requested: number;
  /** The offset that will be committed. */
  target: number;
  low: number;
  high: number;
  firstRecordAt: string | null;
  /** Records from the target to the end captured now. */
  toReplay: number;
  /** Records at or below the dedup horizon (null: no horizon recorded for the group). */
  belowHorizon: number | null;
  clamped: boolean;
  problems: Problem[];
}

export interface Horizon {
  /** The latest pruned_through over the group's handlers, or null when nothing was ever pruned. */
  prunedThrough: Date | null;
  skewMs: number;
}

export function planPartition(facts: PartitionFacts, target: ReplayTarget, horizon: Horizon, allowTruncated: boolean): PartitionPlan {
  const problems: Problem[] = [];
  const where = `${facts.topic}[${facts.partition}]`;
  let requested: number;
  let beforeStart: boolean;
  if (target.kind === 'offset') {
    requested = target.offset;
    beforeStart = requested < facts.low;
    if (requested > facts.high) problems.push({ kind: 'beyond-log-end', message: `${where}: offset ${requested} is beyond the log end ${facts.high}` });
  } else {
    requested = facts.offsetForTime ?? facts.high;
    // Kafka answers "the first retained record at or after the time". If that is the log start of
    // a truncated partition, records at or after the time may already have been deleted: we cannot
    // tell, so it counts as before the log start (Kafka's tool clamps silently here).
    beforeStart = facts.low > 0 && requested <= facts.low && (facts.firstRecordAt === null || facts.firstRecordAt > target.at.getTime());
  }
  if (beforeStart && !allowTruncated) {
    problems.push({
      kind: 'before-log-start',
      message:
        target.kind === 'offset'
          ? `${where}: offset ${requested} is before the log start ${facts.low} (deleted by retention)`
          : `${where}: ${target.at.toISOString()} may be before the log start ${facts.low}: records from then on may have been deleted by retention`,
    });
  }
  const clamped = beforeStart && requested < facts.low;
  const resolved = Math.min(Math.max(requested, facts.low), facts.high);
  const toReplay = Math.max(0, facts.high - resolved);
  let belowHorizon: number | null = null;
  if (horizon.prunedThrough !== null) {
    const limit = horizon.prunedThrough.getTime() + horizon.skewMs;
    const above = facts.offsetAboveHorizon ?? facts.high;
    belowHorizon = Math.max(0, Math.min(above, facts.high) - resolved);
    // the proof the inbox still remembers a record: its timestamp is later than the horizon + skew
    if (toReplay > 0 && (belowHorizon > 0 || (facts.firstRecordAt !== null && facts.firstRecordAt <= limit))) {
      belowHorizon = Math.max(belowHorizon, 1);
      problems.push({
        kind: 'below-horizon',
        records: belowHorizon,
        message: `${where}: ${belowHorizon} record(s) are at or before the dedup horizon ${new Date(limit).toISOString()} (pruned through ${horizon.prunedThrough.toISOString()} + skew): the inbox may have forgotten them, so they would be applied a second time`,
      });
    }
  }
  return {
    topic: facts.topic,
    partition: facts.partition,
    current: facts.committed,
    requested,
    target: resolved,
    low: facts.low,
    high: facts.high,
    firstRecordAt: facts.firstRecordAt === null || toReplay === 0 ? null : new Date(facts.firstRecordAt).toISOString(),
    toReplay,
    belowHorizon,
    clamped,
    problems,
  };
}

/** The share of a replay done: Σ(committed − start) / Σ(end − start), each partition capped at its end. */
export function catchUpProgress(parts: readonly { target: number; end: number; committed: number | null }[]): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const p of parts) {
    const span = Math.max(0, p.end - p.target);
    total += span;
    if (p.committed !== null) done += Math.min(span, Math.max(0, p.committed - p.target));
  }
  return { done, total };
}

/** What the inbox says about the records of one replayed range. */
export interface RangeCounts {
  /** Inbox rows of the group's handlers in the range written since the replay started. */
  processed: number;
  deadLettered: number;
  /** Inbox rows in the range written before the replay started: these records were skipped as duplicates. */
  deduplicated: number;
}

export interface RangeReport extends RangeCounts {
  topic: string;
  partition: number;
  from: number;
  to: number;
  records: number;
  /** Records in the range with no inbox row of the group at all: no handler for their type. */
  ignored: number;
}

export function rangeReport(range: { topic: string; partition: number; from: number; to: number }, counts: RangeCounts): RangeReport {
  const records = Math.max(0, range.to - range.from);
  const seen = counts.processed + counts.deadLettered + counts.deduplicated;
  return { ...range, records, ...counts, ignored: Math.max(0, records - seen) };
}

export function totals(reports: readonly RangeReport[]): Omit<RangeReport, 'topic' | 'partition' | 'from' | 'to'> {
  const sum = (k: 'records' | 'processed' | 'deadLettered' | 'deduplicated' | 'ignored'): number => reports.reduce((s, r) => s + r[k], 0);
  return { records: sum('records'), processed: sum('processed'), deadLettered: sum('deadLettered'), deduplicated: sum('deduplicated'), ignored: sum('ignored') };
}
