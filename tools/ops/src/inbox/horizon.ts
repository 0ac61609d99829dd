import type { Client } from 'pg';
import type { RangeCounts } from '../replay/plan';

/**
 * What ops reads from a service's inbox (messaging schema V1/V2, libs/messaging): the dedup
 * horizon of a group's handlers and, after a replay, what became of the replayed records. A
 * handler's inbox name is `<group>.<EventType>`, so a group's rows are `handler LIKE '<group>.%'`.
 */

const handlersOf = (group: string): string => `${group.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;

export interface GroupHorizon {
  /** The latest `pruned_through` over the group's handlers (null: never pruned). */
  prunedThrough: Date | null;
  handlers: { handler: string; prunedThrough: Date; prunedRows: number }[];
}

export async function groupHorizon(db: Client, group: string): Promise<GroupHorizon> {
  const rows = (
    await db.query<{ handler: string; pruned_through: Date; pruned_rows: string }>(
      `SELECT handler, pruned_through, pruned_rows FROM inbox_horizon WHERE handler LIKE $1 ORDER BY pruned_through DESC`,
      [handlersOf(group)],
    )
  ).rows;
  return {
    prunedThrough: rows[0]?.pruned_through ?? null,
    handlers: rows.map((r) => ({ handler: r.handler, prunedThrough: r.pruned_through, prunedRows: Number(r.pruned_rows) })),
  };
}

/** The database's clock: the replay's start time is compared with `processed_at`, written by the same clock. */
export async function databaseNow(db: Client): Promise<Date> {
  return (await db.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;
}

/**
 * For the records [from, to) of one partition: the group's inbox rows written since `since`
 * (processed / dead-lettered: applied by the replay) and before it (deduplicated: the replay found
 * them already handled).
 */
export async function rangeCounts(db: Client, group: string, range: { topic: string; partition: number; from: number; to: number }, since: Date): Promise<RangeCounts> {
  if (range.to <= range.from) return { processed: 0, deadLettered: 0, deduplicated: 0 };
  const row = (
    await db.query<{ processed: string; dead_lettered: string; deduplicated: string }>(
      `SELECT count(*) FILTER (WHERE processed_at >= $6 AND outcome = 'processed')     AS processed,
              count(*) FILTER (WHERE processed_at >= $6 AND outcome = 'dead-lettered') AS dead_lettered,
              count(*) FILTER (WHERE processed_at <  $6)                               AS deduplicated
         FROM inbox
        WHERE handler LIKE $1 AND topic = $2 AND kafka_partition = $3 AND kafka_offset >= $4 AND kafka_offset < $5`,
      [handlersOf(group), range.topic, range.partition, range.from, range.to, since],
    )
  ).rows[0]!;
  return { processed: Number(row.processed), deadLettered: Number(row.dead_lettered), deduplicated: Number(row.deduplicated) };
}
