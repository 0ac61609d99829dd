import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { claimLeased } from '@paystate/persistence';
import type { DeliveryStatus } from '../../domain/webhook-event';
import { iso, num } from './row-values';

export interface NewDelivery {
  eventId: string;
  copy: number;
  eventType: string;
  reference: string;
  sequence: number;
  payload: string;
  status: DeliveryStatus;
  createdAt: Date;
}

/** A delivery as stored: what was enqueued (times as ISO strings) plus its delivery progress. */
export interface DeliveryRecord extends Omit<NewDelivery, 'createdAt'> {
  id: number;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface DeliverySettlement {
  status: 'delivered' | 'pending' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  copy: number;
  event_type: string;
  reference: string;
  sequence: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: num(r.id),
  eventId: r.event_id,
  copy: r.copy,
  eventType: r.event_type,
  reference: r.reference,
  sequence: num(r.sequence),
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: iso(r.next_attempt_at) ?? '',
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: iso(r.created_at) ?? '',
  deliveredAt: iso(r.delivered_at),
});

/**
 * The durable webhook queue (webhook_deliveries): written in the operation's transaction, so an
 * event exists if and only if its operation committed; claimed under a lease by the delivery worker,
 * which holds no transaction while it sends.
 */
@Injectable()
export class WebhookDeliveryQueue {
  /** The next event number of a reference (1 for its first event); serialises a reference's events. */
  async nextSequence(manager: EntityManager, reference: string): Promise<number> {
    const rows = await manager.query<{ last_sequence: string }[]>(
      `INSERT INTO reference_sequences (reference, last_sequence) VALUES ($1, 1)
       ON CONFLICT (reference) DO UPDATE SET last_sequence = reference_sequences.last_sequence + 1
       RETURNING last_sequence`,
      [reference],
    );
    return num(rows[0]?.last_sequence ?? null);
  }

  async insert(manager: EntityManager, d: NewDelivery): Promise<void> {
    await manager.query(
      `INSERT INTO webhook_deliveries (event_id, copy, event_type, reference, sequence, payload, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [d.eventId, d.copy, d.eventType, d.reference, d.sequence, d.payload, d.status, d.createdAt],
    );
  }

  async ofReference(manager: EntityManager, reference: string): Promise<DeliveryRecord[]> {
    const rows = await manager.query<DeliveryRow[]>('SELECT * FROM webhook_deliveries WHERE reference = $1 ORDER BY id', [reference]);
    return rows.map(toDelivery);
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs` (several instances never claim the same one),
   * oldest first. The lease is the next attempt's time: a claimed delivery that is never settled (a
   * crash) is due again after it.
   */
  async claimDue(manager: EntityManager, now: Date, leaseMs: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await claimLeased<DeliveryRow>(manager, {
      table: 'webhook_deliveries',
      due: `status = 'pending' AND next_attempt_at <= $1`,
      orderBy: 'next_attempt_at, id',
      limit,
      lease: 'next_attempt_at = $1::timestamptz + make_interval(secs => $2::double precision / 1000)',
      params: [now, leaseMs],
    });
    return rows.map(toDelivery).sort((a, b) => a.id - b.id);
  }

  /**
   * Claims the held deliveries of every reference that has had no new event for `quietMs`, newest
   * event first: the out-of-order mode's release.
   */
  async claimHeld(manager: EntityManager, now: Date, quietMs: number, leaseMs: number): Promise<DeliveryRecord[]> {
    const rows = await claimLeased<DeliveryRow>(manager, {
      table: 'webhook_deliveries',
      due: `status = 'held' AND reference IN (
              SELECT reference FROM webhook_deliveries WHERE status = 'held'
               GROUP BY reference HAVING max(created_at) <= $1::timestamptz - make_interval(secs => $2::double precision / 1000))`,
      lease: `status = 'pending', next_attempt_at = $1::timestamptz + make_interval(secs => $3::double precision / 1000)`,
      params: [now, quietMs, leaseMs],
    });
    return rows.map(toDelivery).sort((a, b) => (a.reference === b.reference ? b.sequence - a.sequence || a.copy - b.copy : a.reference < b.reference ? -1 : 1));
  }

  async settle(manager: EntityManager, id: number, result: DeliverySettlement): Promise<void> {
    await manager.query('UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_status = $5, last_error = $6, delivered_at = $7 WHERE id = $1', [
      id,
      result.status,
      result.attempts,
      result.nextAttemptAt,
      result.lastStatus,
      result.lastError,
      result.deliveredAt,
    ]);
  }
}
