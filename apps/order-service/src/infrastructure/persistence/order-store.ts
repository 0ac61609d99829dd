import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { guardedUpdate } from '@paystate/persistence';
import type { Order, OrderStatus } from '../../domain/order';
import type { OrderInSaga } from '../../domain/order-saga';
import { OrderRecord } from './order.entity';

/** What caused a change: an HTTP request's id or a consumed event's id, and its kind. */
export interface Cause {
  id: string;
  type: string;
}

/** An order as stored: what the saga sees, with the version its guarded update names. */
export interface StoredOrder {
  order: OrderInSaga;
  version: number;
  updatedAt: Date;
}

/** One event on an order's timeline, in whichever service it happened. */
export interface TimelineEntry {
  orderId: string;
  eventId: string;
  topic: string;
  type: string;
  version: number;
  causationId: string | undefined;
  /** When the emitting service committed the fact. */
  occurredAt: string;
}

export interface RecordedTimelineEntry {
  eventId: string;
  service: string;
  topic: string;
  type: string;
  version: number;
  causationId: string | null;
  occurredAt: Date;
  recordedAt: Date;
}

interface TimelineRow {
  event_id: string;
  service: string;
  topic: string;
  type: string;
  version: number;
  causation_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
}

/** `payment.events` → `payment-service`: each topic has exactly one emitting service (SPEC §2). */
export const serviceOfTopic = (topic: string): string => `${topic.replace(/\.events$/, '')}-service`;

const stored = (record: OrderRecord): StoredOrder => ({ order: record.toDomain(), version: record.version, updatedAt: record.updatedAt });

/**
 * Orders, their transition log and their timeline, always inside the caller's transaction (or, for
 * reads, on the DataSource's own manager).
 */
@Injectable()
export class OrderStore {
  /** A new order at version 1, with its first transition (from nothing, caused by the request). */
  async insert(manager: EntityManager, order: Order, cause: Cause, now: Date): Promise<void> {
    await manager.insert(OrderRecord, OrderRecord.fromDomain(order));
    await manager.query('INSERT INTO order_transition (order_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, NULL, $2, $3, $4, $5)', [
      order.id,
      order.status,
      cause.id,
      cause.type,
      now,
    ]);
  }

  async find(manager: EntityManager, orderId: string): Promise<StoredOrder | undefined> {
    const record = await manager.findOneBy(OrderRecord, { id: orderId });
    return record ? stored(record) : undefined;
  }

  /** Locks the order for the rest of the transaction: facts about one order apply one at a time. */
  async lock(manager: EntityManager, orderId: string): Promise<StoredOrder | undefined> {
    const record = await manager.findOne(OrderRecord, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    return record ? stored(record) : undefined;
  }

  async exists(manager: EntityManager, orderId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>('SELECT 1 FROM orders WHERE id = $1', [orderId]);
    return rows.length > 0;
  }

  /**
   * The order's saga fields, guarded by the version it was read at; another transaction that moved
   * it first makes this a StaleWriteError, which the consumer retries.
   */
  async save(manager: EntityManager, current: StoredOrder, next: OrderInSaga, now: Date): Promise<void> {
    await guardedUpdate(
      manager,
      `UPDATE orders
          SET status = $3, payment_status = $4, fulfilment_status = $5, cancellation_reason = $6, cancellation_detail = $7,
              refunded = $8, shipment = $9, version = version + 1, updated_at = $10
        WHERE id = $1 AND version = $2`,
      [current.order.id, current.version, next.status, next.paymentStatus, next.fulfilmentStatus, next.cancellationReason, next.cancellationDetail, next.refunded, next.shipment ? JSON.stringify(next.shipment) : null, now],
      { aggregate: 'order', id: current.order.id, expected: `changed since version ${current.version}` },
    );
  }

  /** One row per step the order took, with its cause. */
  async logTransitions(manager: EntityManager, orderId: string, transitions: readonly { from: OrderStatus; to: OrderStatus }[], cause: Cause, now: Date): Promise<void> {
    for (const t of transitions) {
      await manager.query('INSERT INTO order_transition (order_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, $2, $3, $4, $5, $6)', [
        orderId,
        t.from,
        t.to,
        cause.id,
        cause.type,
        now,
      ]);
    }
  }

  /** Puts an event on its order's timeline, once (a replayed event is already there). */
  async recordOnTimeline(manager: EntityManager, entry: TimelineEntry, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO order_timeline (event_id, order_id, service, topic, type, version, causation_id, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ON CONSTRAINT order_timeline_event_once DO NOTHING`,
      [entry.eventId, entry.orderId, serviceOfTopic(entry.topic), entry.topic, entry.type, entry.version, entry.causationId ?? null, entry.occurredAt, now],
    );
  }

  /** Every event of the order across services, in the order they happened. */
  async timelineOf(manager: EntityManager, orderId: string): Promise<RecordedTimelineEntry[]> {
    const rows = await manager.query<TimelineRow[]>(
      `SELECT event_id, service, topic, type, version, causation_id, occurred_at, recorded_at
         FROM order_timeline WHERE order_id = $1 ORDER BY occurred_at, seq`,
      [orderId],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      service: r.service,
      topic: r.topic,
      type: r.type,
      version: r.version,
      causationId: r.causation_id,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
    }));
  }
}
