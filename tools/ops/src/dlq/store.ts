import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/**
 * The SQL of `ops dlq` over one service's database (tables: libs/messaging messaging-schema.ts V1 +
 * V2). ops only reads letters and writes redrive *requests*; the service's own redrive worker
 * (libs/messaging dead-letter-redrive.ts) carries them out through its handlers (ADR 0016).
 */

export const LETTER_STATUSES = ['parked', 'redrive-requested', 'redriven'] as const;
export type LetterStatus = (typeof LETTER_STATUSES)[number];

export interface LetterRow {
  id: string;
  handler: string;
  consumer_group: string;
  event_id: string;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
  kafka_key: string | null;
  headers: Record<string, string>;
  value: string | null;
  error_kind: string;
  error: string;
  attempts: number;
  created_at: Date;
  redriven_at: Date | null;
  status: LetterStatus;
  errors: { at: string; error: string }[];
  redrive_count: number;
}

export interface RedriveRow {
  id: string;
  dead_letter_id: string;
  requested_by: string;
  reason: string;
  requested_at: Date;
  finished_at: Date | null;
  outcome: 'applied' | 'failed-again' | 'already-handled' | null;
  error: string | null;
}

export interface LetterFilter {
  group?: string;
  type?: string;
  order?: string;
  since?: Date;
  until?: Date;
  statuses?: readonly LetterStatus[];
  ids?: readonly string[];
  limit?: number;
}

const COLUMNS = `id, handler, consumer_group, event_id, topic, kafka_partition, kafka_offset::text AS kafka_offset, kafka_key, headers, value,
  error_kind, error, attempts, created_at, redriven_at, status, errors, redrive_count`;

/** One key's letters in the order the worker redrives them (dead-letter-store.ts claimNext). */
const REDRIVE_ORDER = 'kafka_key NULLS LAST, created_at, topic, kafka_partition, kafka_offset, id';

function where(filter: LetterFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.ids) add((p) => `id = ANY(${p}::uuid[])`, filter.ids);
  if (filter.group) add((p) => `consumer_group = ${p}`, filter.group);
  if (filter.type) add((p) => `headers->>'eventType' = ${p}`, filter.type);
  if (filter.order) add((p) => `kafka_key = ${p}`, filter.order);
  if (filter.since) add((p) => `created_at >= ${p}`, filter.since);
  if (filter.until) add((p) => `created_at < ${p}`, filter.until);
  if (filter.statuses) add((p) => `status = ANY(${p}::text[])`, filter.statuses);
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export async function findLetters(client: Client, filter: LetterFilter): Promise<LetterRow[]> {
  const { sql, params } = where(filter);
  params.push(filter.limit ?? 1000);
  return (await client.query<LetterRow>(`SELECT ${COLUMNS} FROM dead_letter ${sql} ORDER BY ${REDRIVE_ORDER} LIMIT $${params.length}`, params)).rows;
}

export async function redriveHistory(client: Client, letterId: string): Promise<RedriveRow[]> {
  return (await client.query<RedriveRow>('SELECT * FROM dead_letter_redrive WHERE dead_letter_id = $1 ORDER BY requested_at, id', [letterId])).rows;
}

export interface WrittenRequest {
  requestId: string;
  letterId: string;
  /** 'already-handled' at once for a letter that was redriven before: nothing else happens to it. */
  immediate?: 'already-handled';
}

/**
 * In one transaction: each letter locked, a dead_letter_redrive row with who and why, and the
 * letter's status set to 'redrive-requested' (a letter already redriven gets its row finished as
 * 'already-handled' and is left alone). Ids that are not (any more) letters here are returned as missing.
 */
export async function requestRedrive(client: Client, letterIds: readonly string[], requestedBy: string, reason: string): Promise<WrittenRequest[]> {
  await client.query('BEGIN');
  try {
    const locked = (await client.query<{ id: string; status: LetterStatus }>('SELECT id, status FROM dead_letter WHERE id = ANY($1::uuid[]) FOR UPDATE', [letterIds])).rows;
    const status = new Map(locked.map((r) => [r.id, r.status]));
    const written: WrittenRequest[] = [];
    for (const letterId of letterIds) {
      const current = status.get(letterId);
      if (!current) throw new Error(`dead letter ${letterId} vanished while the request was written`);
      const requestId = randomUUID();
      if (current === 'redriven') {
        await client.query(
          `INSERT INTO dead_letter_redrive (id, dead_letter_id, requested_by, reason, outcome, finished_at) VALUES ($1, $2, $3, $4, 'already-handled', now())`,
          [requestId, letterId, requestedBy, reason],
        );
        written.push({ requestId, letterId, immediate: 'already-handled' });
      } else {
        await client.query('INSERT INTO dead_letter_redrive (id, dead_letter_id, requested_by, reason) VALUES ($1, $2, $3, $4)', [requestId, letterId, requestedBy, reason]);
        await client.query(`UPDATE dead_letter SET status = 'redrive-requested' WHERE id = $1`, [letterId]);
        written.push({ requestId, letterId });
      }
    }
    await client.query('COMMIT');
    return written;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export async function requestsById(client: Client, requestIds: readonly string[]): Promise<RedriveRow[]> {
  return (await client.query<RedriveRow>('SELECT * FROM dead_letter_redrive WHERE id = ANY($1::uuid[])', [requestIds])).rows;
}
