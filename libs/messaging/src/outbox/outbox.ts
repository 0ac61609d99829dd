import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { EventContract, checkPayload } from '@paystate/contracts';
import { childTraceparent } from '../headers';

/** Where an event came from: the request or event that caused it, and the saga it belongs to. */
export interface EventCause {
  /** The saga's id: the order id for every saga event. */
  correlationId: string;
  /** The id of the event or HTTP request that caused this one. */
  causationId: string;
  /** W3C traceparent of the cause; the new event continues its trace with a new span. */
  traceparent?: string;
}

export interface OutboxEvent<C extends EventContract = EventContract> {
  contract: C;
  payload: C['example'];
  /** Becomes the Kafka key; the order id for saga events, so one order's events stay in order. */
  aggregateId: string;
  cause: EventCause;
  /** Defaults to a random UUID; pass one to make the event id deterministic. */
  id?: string;
  occurredAt: Date;
}

/** An event the code tried to emit that breaks its own contract: a bug, never sent. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  constructor(readonly contract: string, readonly issues: string[]) {
    super(`${contract} does not match its contract: ${issues.join('; ')}`);
  }
}

/**
 * Appends events to the outbox inside the caller's transaction, so they commit or roll back with
 * the state change that caused them. The rows are deleted again in the same transaction: Debezium
 * reads the INSERT from the WAL, the table never grows, and its history lives in Kafka.
 * Returns the ids of the events written.
 */
export async function appendToOutbox(manager: EntityManager, events: readonly OutboxEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('appendToOutbox must run inside the transaction of the state change it belongs to');
  }
  const columns = 10;
  const params: unknown[] = [];
  const rows: string[] = [];
  const ids: string[] = [];
  events.forEach((event, i) => {
    const checked = checkPayload(event.contract, event.payload);
    if (!checked.ok) throw new ContractViolation(`${event.contract.type} v${event.contract.version}`, checked.issues);
    const id = event.id ?? randomUUID();
    ids.push(id);
    params.push(
      id,
      event.contract.aggregateType,
      event.aggregateId,
      event.contract.type,
      event.contract.version,
      event.cause.correlationId,
      event.cause.causationId,
      childTraceparent(event.cause.traceparent),
      JSON.stringify(checked.value),
      event.occurredAt.toISOString(),
    );
    const base = i * columns;
    rows.push(`(${Array.from({ length: columns }, (_, c) => `$${base + c + 1}`).join(', ')})`);
  });
  await manager.query(
    `INSERT INTO outbox (id, aggregatetype, aggregateid, type, event_version, correlation_id, causation_id, traceparent, payload, occurred_at)
     VALUES ${rows.join(', ')}`,
    params,
  );
  await manager.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [ids]);
  return ids;
}
