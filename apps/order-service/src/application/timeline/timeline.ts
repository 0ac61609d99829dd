import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

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

/** `payment.events` → `payment-service`: each topic has exactly one emitting service (SPEC §2). */
export const serviceOfTopic = (topic: string): string => `${topic.replace(/\.events$/, '')}-service`;

/** Puts an event on its order's timeline, once (a replayed event is already there). */
export async function recordOnTimeline(manager: EntityManager, entry: TimelineEntry, now: Date): Promise<void> {
  await manager.query(
    `INSERT INTO order_timeline (event_id, order_id, service, topic, type, version, causation_id, occurred_at, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT ON CONSTRAINT order_timeline_event_once DO NOTHING`,
    [entry.eventId, entry.orderId, serviceOfTopic(entry.topic), entry.topic, entry.type, entry.version, entry.causationId ?? null, entry.occurredAt, now],
  );
}

export interface TimelineView {
  orderId: string;
  events: { eventId: string; service: string; topic: string; type: string; version: number; causationId: string | null; occurredAt: string; recordedAt: string }[];
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

@Injectable()
export class GetTimelineQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Every event of the order across services, in the order they happened; undefined for an unknown order. */
  async byOrder(orderId: string): Promise<TimelineView | undefined> {
    const [exists] = await this.dataSource.query<{ id: string }[]>('SELECT id FROM orders WHERE id = $1', [orderId]);
    if (!exists) return undefined;
    const rows = await this.dataSource.query<TimelineRow[]>(
      `SELECT event_id, service, topic, type, version, causation_id, occurred_at, recorded_at
         FROM order_timeline WHERE order_id = $1 ORDER BY occurred_at, seq`,
      [orderId],
    );
    return {
      orderId,
      events: rows.map((r) => ({
        eventId: r.event_id,
        service: r.service,
        topic: r.topic,
        type: r.type,
        version: r.version,
        causationId: r.causation_id,
        occurredAt: r.occurred_at.toISOString(),
        recordedAt: r.recorded_at.toISOString(),
      })),
    };
  }
}
