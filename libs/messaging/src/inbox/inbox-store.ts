import type { EntityManager } from 'typeorm';
import { DeadLetterV1 } from '@paystate/contracts';
import { appendToOutbox } from '../outbox/outbox';
import type { RawRecord } from './record-parser';

/**
 * The inbox and dead-letter SQL of the idempotent consumer (tables: messaging-schema.ts). Every
 * function runs inside the caller's transaction, so its rows commit with the handler's effects.
 */

/**
 * Claims `(handler, event id)` in the inbox. False if the row exists: the event was handled (or
 * dead-lettered) before, and this delivery must have no effect. The primary key
 * `inbox_handler_event_unique` decides, also between two concurrent deliveries.
 */
export async function claimInbox(
  manager: EntityManager,
  handler: string,
  eventId: string,
  at: { topic: string; partition: number; offset: string },
  outcome: 'processed' | 'dead-lettered',
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO inbox (handler, event_id, topic, kafka_partition, kafka_offset, outcome)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (handler, event_id) DO NOTHING RETURNING event_id`,
    [handler, eventId, at.topic, at.partition, at.offset, outcome],
  );
  return rows.length === 1;
}

export interface DeadLetterError {
  kind: 'poison' | 'retries-exhausted';
  name: string;
  message: string;
}

export interface DeadLetter {
  id: string;
  groupId: string;
  handlerName: string;
  eventId: string;
  record: RawRecord;
  error: DeadLetterError;
  attempts: number;
  at: Date;
}

/**
 * A `dead_letter` row for ops (list, show, redrive) and a DeadLetter event on deadletter.events
 * through this service's own outbox (ADR 0004): the Kafka copy keeps the original record verbatim.
 */
export async function writeDeadLetter(manager: EntityManager, letter: DeadLetter): Promise<void> {
  const { id, groupId, handlerName, eventId, record, error, attempts, at } = letter;
  await manager.query(
    `INSERT INTO dead_letter (id, handler, consumer_group, event_id, topic, kafka_partition, kafka_offset, kafka_key, headers, value, error_kind, error, attempts, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [id, handlerName, groupId, eventId, record.topic, record.partition, record.offset, record.key, JSON.stringify(record.headers), record.value, error.kind, `${error.name}: ${error.message}`, attempts, at],
  );
  await appendToOutbox(manager, [
    {
      id,
      contract: DeadLetterV1,
      payload: { original: record, consumerGroup: groupId, handler: handlerName, error, attempts, deadLetteredAt: at.toISOString() },
      aggregateId: record.key ?? eventId,
      cause: { correlationId: record.headers['correlationId'] ?? record.key ?? eventId, causationId: eventId, traceparent: record.headers['traceparent'] },
      occurredAt: at,
    },
  ]);
}
