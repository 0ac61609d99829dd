import type { Admin } from 'kafkajs';
import type { OpsContext } from '../context';
import { failure, refused, unavailable } from '../errors';
import type { ServiceSettings } from '../settings';
import { handlerPattern } from './names';

/** Where a group resumes one partition after a restore, and why there. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  offset: number;
  /** The log's start and end when it was computed. */
  low: number;
  high: number;
  from: 'inbox' | 'backup time';
}

type Offsets = Map<string, { low: number; high: number }>;
const key = (topic: string, partition: number): string => `${topic}/${partition}`;

async function kafkaCall<T>(ctx: OpsContext, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = await ctx.kafka();
  try {
    return await work(admin);
  } catch (error) {
    throw unavailable(`Kafka (${ctx.settings.kafkaBrokers.join(',')})`, error);
  }
}

/** Each partition's log start and end of the group's topics. */
export async function logBounds(ctx: OpsContext, topics: readonly string[]): Promise<Offsets> {
  const out: Offsets = new Map();
  for (const topic of topics) {
    const parts = await kafkaCall(ctx, (a) => a.fetchTopicOffsets(topic));
    for (const p of parts) out.set(key(topic, p.partition), { low: Number(p.low), high: Number(p.high) });
  }
  return out;
}

/**
 * The positions from the restored database (ADR 0019): every record the group processed or
 * dead-lettered left an inbox row with its (topic, partition, offset) in the transaction of its
 * effects, and each partition is consumed in order, so the group resumes at max(offset) + 1. A
 * partition with no inbox row resumes at the first record at or after `fallbackTime` (the backup's
 * time minus the margin); the inbox deduplicates any overlap.
 */
export async function positionsFromInbox(ctx: OpsContext, svc: ServiceSettings, fallbackTime: Date): Promise<PartitionPosition[]> {
  const group = svc.group;
  if (!group) return [];
  const inbox = await ctx.withSuperuser(svc.database, async (c) =>
    (
      await c.query<{ topic: string; kafka_partition: number; next: string }>(
        `SELECT topic, kafka_partition, max(kafka_offset) + 1 AS next FROM inbox WHERE handler LIKE $1 GROUP BY topic, kafka_partition`,
        [handlerPattern(group)],
      )
    ).rows,
  );
  const fromInbox = new Map(inbox.map((r) => [key(r.topic, r.kafka_partition), Number(r.next)]));
  const bounds = await logBounds(ctx, svc.consumes);
  const out: PartitionPosition[] = [];
  for (const topic of svc.consumes) {
    const byTime = await kafkaCall(ctx, (a) => a.fetchTopicOffsetsByTimestamp(topic, fallbackTime.getTime()));
    for (const p of byTime) {
      const b = bounds.get(key(topic, p.partition))!;
      const stored = fromInbox.get(key(topic, p.partition));
      // kafkajs answers -1 (or the end) when no record is that recent: then the end
      const timeOffset = Number(p.offset) < 0 ? b.high : Number(p.offset);
      const position: PartitionPosition = stored !== undefined ? { topic, partition: p.partition, offset: stored, low: b.low, high: b.high, from: 'inbox' } : { topic, partition: p.partition, offset: timeOffset, low: b.low, high: b.high, from: 'backup time' };
      out.push(position);
    }
  }
  for (const p of out) {
    if (p.offset < p.low) {
      throw refused(
        `${group} cannot resume ${p.topic}/${p.partition} at ${p.offset}: the log starts at ${p.low} (retention deleted records the restored database never saw)`,
        'the backup is older than the topic retention: restore a newer backup',
        out,
      );
    }
    if (p.offset > p.high) throw failure(`${group}: the restored inbox has ${p.topic}/${p.partition} at ${p.offset - 1}, beyond the log's end ${p.high}: was the topic re-created?`, undefined, out);
  }
  return out;
}

/** Writes the group's committed offsets (the group must be empty) and reads them back. */
export async function resetGroup(ctx: OpsContext, group: string, positions: readonly PartitionPosition[]): Promise<void> {
  const topics = [...new Set(positions.map((p) => p.topic))];
  for (const topic of topics) {
    const partitions = positions.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, offset: String(p.offset) }));
    await kafkaCall(ctx, (a) => a.setOffsets({ groupId: group, topic, partitions }));
  }
  const committed = await committedOffsets(ctx, group, topics);
  const wrong = positions.filter((p) => committed.get(key(p.topic, p.partition)) !== p.offset);
  if (wrong.length > 0) {
    throw failure(
      `${group}: the committed offsets read back differ from those written: ${wrong.map((p) => `${p.topic}/${p.partition} wrote ${p.offset}, reads ${committed.get(key(p.topic, p.partition)) ?? 'none'}`).join('; ')}`,
      'is a member of the group running? check with `ops lag` and retry',
    );
  }
}

export async function committedOffsets(ctx: OpsContext, group: string, topics: readonly string[]): Promise<Map<string, number>> {
  const fetched = await kafkaCall(ctx, (a) => a.fetchOffsets({ groupId: group, topics: [...topics] }));
  const out = new Map<string, number>();
  for (const t of fetched) for (const p of t.partitions) out.set(key(t.topic, p.partition), Number(p.offset));
  return out;
}

/** Records still to consume: the sum over partitions of (target end − committed), never negative. */
export function remaining(targets: readonly { topic: string; partition: number; end: number }[], committed: Map<string, number>): number {
  return targets.reduce((sum, t) => sum + Math.max(0, t.end - Math.max(committed.get(key(t.topic, t.partition)) ?? 0, 0)), 0);
}
