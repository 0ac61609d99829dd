import type { EntityManager } from 'typeorm';
import type { RawRecord } from './record-parser';

/**
 * The SQL of the dead-letter redrive worker (tables: messaging-schema.ts V1 + V2). Every function
 * runs inside the caller's transaction. The worker's decisions (dead-letter-redrive.ts) see only the
 * RedriveStore interface, so its unit specs drive them without a database.
 */

/** A letter the worker has claimed: locked by its transaction until that commits or rolls back. */
export interface ClaimedLetter {
  id: string;
  handler: string;
  eventId: string;
  /** The order id of the saga events; letters of one key are redriven in the order they were parked. */
  key: string | null;
  record: RawRecord;
}

/** What the worker needs of the dead_letter, dead_letter_redrive and inbox tables, in one transaction. */
export interface RedriveStore {
  /**
   * The first letter of this group in status 'redrive-requested' that no other transaction holds
   * and that has no earlier requested letter of the same key (so one key's letters go one after the
   * other, in order, even with several instances), locked FOR UPDATE SKIP LOCKED; undefined if none.
   */
  claimNext(groupId: string): Promise<ClaimedLetter | undefined>;
  /** Deletes the letter's inbox row if it says 'dead-lettered' (so the same claim can now record 'processed'). */
  releaseInbox(letter: ClaimedLetter): Promise<void>;
  savepoint(): Promise<void>;
  rollbackToSavepoint(): Promise<void>;
  /** The letter is done ('redriven', redriven_at) and its open redrive requests end with `outcome`. */
  markRedriven(letter: ClaimedLetter, outcome: 'applied' | 'already-handled', at: Date, countAttempt: boolean): Promise<void>;
  /** Back to 'parked', the error appended to `errors`, redrive_count + 1, open requests end 'failed-again'. */
  markFailedAgain(letter: ClaimedLetter, error: string, at: Date): Promise<void>;
  /**
   * The requested letters of the same key parked after this one go back to 'parked' unattempted
   * (their open requests end 'failed-again' with `error`); returns their ids.
   */
  parkLaterOfKey(groupId: string, letter: ClaimedLetter, error: string, at: Date): Promise<string[]>;
}

interface LetterRow {
  id: string;
  handler: string;
  event_id: string;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
  kafka_key: string | null;
  headers: Record<string, string>;
  value: string | null;
  created_at: Date;
}

export class SqlRedriveStore implements RedriveStore {
  constructor(private readonly manager: EntityManager) {}

  /**
   * One key's letters go in the order the consumer parked them (created_at: records of one partition
   * are parked one after the other), ties broken by topic, partition, offset and id.
   */
  async claimNext(groupId: string): Promise<ClaimedLetter | undefined> {
    const rows: LetterRow[] = await this.manager.query(
      `SELECT d.id, d.handler, d.event_id, d.topic, d.kafka_partition, d.kafka_offset::text AS kafka_offset, d.kafka_key, d.headers, d.value, d.created_at
         FROM dead_letter d
        WHERE d.status = 'redrive-requested' AND d.consumer_group = $1
          AND NOT EXISTS (
            SELECT 1 FROM dead_letter e
             WHERE e.status = 'redrive-requested' AND e.consumer_group = d.consumer_group AND e.id <> d.id
               AND e.kafka_key IS NOT DISTINCT FROM d.kafka_key
               AND (e.created_at, e.topic, e.kafka_partition, e.kafka_offset, e.id) < (d.created_at, d.topic, d.kafka_partition, d.kafka_offset, d.id))
        ORDER BY d.created_at, d.topic, d.kafka_partition, d.kafka_offset, d.id
        LIMIT 1
        FOR UPDATE OF d SKIP LOCKED`,
      [groupId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      handler: row.handler,
      eventId: row.event_id,
      key: row.kafka_key,
      record: {
        topic: row.topic,
        partition: row.kafka_partition,
        offset: row.kafka_offset,
        key: row.kafka_key,
        headers: row.headers,
        value: row.value,
        // the original record time is in the DeadLetter event; the handlers read occurredAt from the headers
        timestamp: String(new Date(row.created_at).getTime()),
      },
    };
  }

  async releaseInbox(letter: ClaimedLetter): Promise<void> {
    await this.manager.query(`DELETE FROM inbox WHERE handler = $1 AND event_id = $2 AND outcome = 'dead-lettered'`, [letter.handler, letter.eventId]);
  }

  async savepoint(): Promise<void> {
    await this.manager.query('SAVEPOINT dead_letter_redrive');
  }

  async rollbackToSavepoint(): Promise<void> {
    await this.manager.query('ROLLBACK TO SAVEPOINT dead_letter_redrive');
  }

  async markRedriven(letter: ClaimedLetter, outcome: 'applied' | 'already-handled', at: Date, countAttempt: boolean): Promise<void> {
    await this.manager.query(
      `UPDATE dead_letter SET status = 'redriven', redriven_at = $2, redrive_count = redrive_count + $3 WHERE id = $1`,
      [letter.id, at, countAttempt ? 1 : 0],
    );
    await this.finishRequests([letter.id], outcome, null, at);
  }

  async markFailedAgain(letter: ClaimedLetter, error: string, at: Date): Promise<void> {
    await this.manager.query(
      `UPDATE dead_letter SET status = 'parked', redrive_count = redrive_count + 1,
              errors = errors || jsonb_build_array(jsonb_build_object('at', $2::timestamptz, 'error', $3::text))
        WHERE id = $1`,
      [letter.id, at, error],
    );
    await this.finishRequests([letter.id], 'failed-again', error, at);
  }

  async parkLaterOfKey(groupId: string, letter: ClaimedLetter, error: string, at: Date): Promise<string[]> {
    // a SELECT, then the UPDATE: TypeORM's query() wraps an UPDATE's RETURNING rows as [rows, count]
    const rows: { id: string }[] = await this.manager.query(
      `SELECT id FROM dead_letter
        WHERE status = 'redrive-requested' AND consumer_group = $1 AND id <> $2 AND kafka_key IS NOT DISTINCT FROM $3
        ORDER BY created_at, topic, kafka_partition, kafka_offset, id
        FOR UPDATE`,
      [groupId, letter.id, letter.key],
    );
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    await this.manager.query(`UPDATE dead_letter SET status = 'parked' WHERE id = ANY($1::uuid[])`, [ids]);
    await this.finishRequests(ids, 'failed-again', error, at);
    return ids;
  }

  private async finishRequests(letterIds: readonly string[], outcome: 'applied' | 'already-handled' | 'failed-again', error: string | null, at: Date): Promise<void> {
    await this.manager.query(
      `UPDATE dead_letter_redrive SET outcome = $2, error = $3, finished_at = $4 WHERE dead_letter_id = ANY($1::uuid[]) AND finished_at IS NULL`,
      [letterIds, outcome, error, at],
    );
  }
}
