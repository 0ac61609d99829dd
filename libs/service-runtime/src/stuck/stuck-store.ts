import type { EntityManager } from 'typeorm';
import type { StuckLevel } from './stuck-decider';

/**
 * The `stuck_saga` table every service with a saga monitor creates in a migration of its own (the
 * same columns in each: stuck-schema.ts): one row per
 * threshold crossing, unique on (subject, stage, since, level), so that several instances, or a
 * monitor run repeated after a crash, insert it once and append its event once.
 */
export interface StuckRow {
  id: string;
  subjectId: string;
  orderId: string;
  stage: string;
  since: Date;
  level: StuckLevel;
  thresholdMs: number;
  awaitingEvent: string;
  awaitingProducer: string;
  eventId: string;
  firstSeen: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  note: string | null;
  resolvedAt: Date | null;
}

/** What the monitor records of a new crossing (the rest of a row starts empty). */
export type NewCrossing = Pick<StuckRow, 'subjectId' | 'orderId' | 'stage' | 'since' | 'level' | 'thresholdMs' | 'awaitingEvent' | 'awaitingProducer' | 'eventId'>;

interface Row {
  id: string;
  subject_id: string;
  order_id: string;
  stage: string;
  since: Date;
  level: StuckLevel;
  threshold_ms: string;
  awaiting_event: string;
  awaiting_producer: string;
  event_id: string;
  first_seen: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  note: string | null;
  resolved_at: Date | null;
}

const COLUMNS = 'id, subject_id, order_id, stage, since, level, threshold_ms, awaiting_event, awaiting_producer, event_id, first_seen, acknowledged_at, acknowledged_by, note, resolved_at';

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected]; an INSERT or SELECT as the rows. */
function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

const toRow = (r: Row): StuckRow => ({
  id: String(r.id),
  subjectId: r.subject_id,
  orderId: r.order_id,
  stage: r.stage,
  since: r.since,
  level: r.level,
  thresholdMs: Number(r.threshold_ms),
  awaitingEvent: r.awaiting_event,
  awaitingProducer: r.awaiting_producer,
  eventId: r.event_id,
  firstSeen: r.first_seen,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  note: r.note,
  resolvedAt: r.resolved_at,
});

export const stuckStore = {
  /** Every report not resolved yet (acknowledged or not). */
  async open(manager: EntityManager): Promise<StuckRow[]> {
    const rows = await manager.query<Row[]>(`SELECT ${COLUMNS} FROM stuck_saga WHERE resolved_at IS NULL ORDER BY first_seen, id`);
    return rows.map(toRow);
  },

  /** Records a crossing; false when another instance (or an earlier run) already did. */
  async insert(manager: EntityManager, c: NewCrossing, now: Date): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO stuck_saga (subject_id, order_id, stage, since, level, threshold_ms, awaiting_event, awaiting_producer, event_id, first_seen)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT ON CONSTRAINT stuck_saga_once_per_crossing DO NOTHING
       RETURNING id`,
      [c.subjectId, c.orderId, c.stage, c.since, c.level, c.thresholdMs, c.awaitingEvent, c.awaitingProducer, c.eventId, now],
    );
    return rows.length > 0;
  },

  /** The subject has left that episode of the stage: its reports are over. */
  async resolve(manager: EntityManager, subjectId: string, stage: string, since: Date, now: Date): Promise<number> {
    const result: unknown = await manager.query(
      'UPDATE stuck_saga SET resolved_at = $4 WHERE subject_id = $1 AND stage = $2 AND since = $3 AND resolved_at IS NULL RETURNING id',
      [subjectId, stage, since, now],
    );
    return returnedRows<unknown>(result).length;
  },

  /** An operator has it in hand: every open, unacknowledged report of the order. Returns the rows acknowledged now. */
  async acknowledge(manager: EntityManager, orderId: string, by: string, note: string, now: Date): Promise<StuckRow[]> {
    const result: unknown = await manager.query(
      `UPDATE stuck_saga SET acknowledged_at = $2, acknowledged_by = $3, note = $4
        WHERE order_id = $1 AND resolved_at IS NULL AND acknowledged_at IS NULL
        RETURNING ${COLUMNS}`,
      [orderId, now, by, note],
    );
    return returnedRows<Row>(result).map(toRow);
  },

  /** Open reports of one order (acknowledged or not), for the acknowledgement's answer. */
  async openOf(manager: EntityManager, orderId: string): Promise<StuckRow[]> {
    const rows = await manager.query<Row[]>(`SELECT ${COLUMNS} FROM stuck_saga WHERE order_id = $1 AND resolved_at IS NULL ORDER BY first_seen, id`, [orderId]);
    return rows.map(toRow);
  },

  /** Subjects with an open, unacknowledged report, per stage: what the gauge shows. */
  async unacknowledgedByStage(manager: EntityManager): Promise<Map<string, number>> {
    const rows = await manager.query<{ stage: string; n: string }[]>(
      'SELECT stage, count(DISTINCT subject_id) AS n FROM stuck_saga WHERE resolved_at IS NULL AND acknowledged_at IS NULL GROUP BY stage',
    );
    return new Map(rows.map((r) => [r.stage, Number(r.n)]));
  },
};
