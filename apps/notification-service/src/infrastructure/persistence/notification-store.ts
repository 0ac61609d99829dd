import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { claimLeased, updateCount, updateReturning } from '@paystate/persistence';
import type { NewNotification, NotificationStatus } from '../../domain/notification';
import { NotificationRecord } from './notification.entity';

/** What caused a change: the consumed event, or the delivery attempt; logged with every transition. */
export interface Cause {
  id: string;
  type: string;
}

/** An email the mail server already accepted before the database was restored (notification_sent_receipt). */
export interface SentReceipt {
  notificationId: string;
  messageId: string;
  sentAt: Date;
}

/**
 * The notification tables. Every status change is a guarded UPDATE naming the status it expects
 * and writes a `notification_transition` row with its cause, in the caller's transaction.
 */
@Injectable()
export class NotificationStore {
  /**
   * Serialises the facts of one order for the rest of the transaction. Facts of one order arrive on
   * different topics and partitions, handled concurrently: without it, a refund could read "no
   * recipient" while the OrderPlaced that releases parked notifications commits unseen, and stay
   * parked for ever. Whoever takes the lock second sees what the first committed.
   */
  async lockOrder(manager: EntityManager, orderId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`notification-order:${orderId}`]);
  }

  /** Remembers who to tell about an order; the first address seen stays (facts do not change it). */
  async rememberRecipient(manager: EntityManager, r: { orderId: string; customerId: string; email: string; eventId: string; now: Date }): Promise<void> {
    await manager.query(
      `INSERT INTO order_recipient (order_id, customer_id, customer_email, source_event_id, recorded_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`,
      [r.orderId, r.customerId, r.email, r.eventId, r.now],
    );
  }

  async recipientOf(manager: EntityManager, orderId: string): Promise<string | undefined> {
    const rows = await manager.query<{ customer_email: string }[]>('SELECT customer_email FROM order_recipient WHERE order_id = $1', [orderId]);
    return rows[0]?.customer_email;
  }

  /**
   * Inserts a new notification unless one already exists for the same fact (or, for the order
   * facts, the same order and kind): the named unique constraints decide, so a fact re-emitted
   * under another event id still gets one email. Returns false for such a duplicate.
   */
  async insert(
    manager: EntityManager,
    n: NewNotification & { id: string; messageId: string; traceparent: string | undefined },
    cause: Cause,
    now: Date,
  ): Promise<boolean> {
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO notification (id, order_id, kind, status, source_event_id, recipient, subject, text_body, html_body, message_id, attempts, next_attempt_at, traceparent, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $11, $11)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [n.id, n.orderId, n.kind, n.status, n.sourceEventId, n.recipient ?? null, n.content.subject, n.content.text, n.content.html, n.messageId, now, n.traceparent ?? null],
    );
    if (inserted.length === 0) return false;
    await this.logTransition(manager, n.id, null, n.status, cause, now);
    return true;
  }

  /**
   * The receipt of an email already sent for this fact before a restore (ADR 0019), if `ops
   * recover` recorded one: the notification it creates again takes the id and Message-ID it had.
   */
  async sentReceiptForFact(manager: EntityManager, fact: { orderId: string; kind: string; sourceEventId: string }): Promise<SentReceipt | undefined> {
    const rows = await manager.query<{ notification_id: string; message_id: string; sent_at: Date }[]>(
      'SELECT notification_id, message_id, sent_at FROM notification_sent_receipt WHERE order_id = $1 AND kind = $2 AND source_event_id = $3',
      [fact.orderId, fact.kind, fact.sourceEventId],
    );
    const row = rows[0];
    return row ? { notificationId: row.notification_id, messageId: row.message_id, sentAt: row.sent_at } : undefined;
  }

  /** The receipt of an email already sent for this notification (by its id or its fact), checked before mailing it. */
  async sentReceiptOf(manager: EntityManager, n: { id: string; orderId: string; kind: string; sourceEventId: string }): Promise<SentReceipt | undefined> {
    const rows = await manager.query<{ notification_id: string; message_id: string; sent_at: Date }[]>(
      `SELECT notification_id, message_id, sent_at FROM notification_sent_receipt
        WHERE notification_id = $1 OR (order_id = $2 AND kind = $3 AND source_event_id = $4)
        ORDER BY (notification_id = $1) DESC LIMIT 1`,
      [n.id, n.orderId, n.kind, n.sourceEventId],
    );
    const row = rows[0];
    return row ? { notificationId: row.notification_id, messageId: row.message_id, sentAt: row.sent_at } : undefined;
  }

  /**
   * PENDING → SENT at `sentAt`, the time the mail server accepted it before a restore, without
   * mailing it again; false when it is not PENDING (any more).
   */
  async markSentFromReceipt(manager: EntityManager, id: string, sentAt: Date, cause: Cause, now: Date): Promise<boolean> {
    const affected = await updateCount(
      manager,
      `UPDATE notification SET status = 'SENT', sent_at = $2, locked_until = NULL, last_error = NULL, updated_at = $3
       WHERE id = $1 AND status = 'PENDING'`,
      [id, sentAt, now],
    );
    if (affected !== 1) return false;
    await this.logTransition(manager, id, 'PENDING', 'SENT', cause, now);
    return true;
  }

  /** Parked notifications of the order become due, addressed to `recipient`; returns their ids. */
  async releaseWaiting(manager: EntityManager, orderId: string, recipient: string, cause: Cause, now: Date): Promise<string[]> {
    const rows = await updateReturning<{ id: string }>(
      manager,
      `UPDATE notification SET status = 'PENDING', recipient = $2, next_attempt_at = $3, updated_at = $3
       WHERE order_id = $1 AND status = 'WAITING_FOR_RECIPIENT'
       RETURNING id`,
      [orderId, recipient, now],
    );
    for (const { id } of rows) await this.logTransition(manager, id, 'WAITING_FOR_RECIPIENT', 'PENDING', cause, now);
    return rows.map((r) => r.id);
  }

  /**
   * Claims up to `limit` due notifications with one `FOR UPDATE SKIP LOCKED` statement that counts
   * the attempt and sets a lease, so several instances never send the same one at the same time.
   */
  async claimDue(manager: EntityManager, now: Date, limit: number, leaseMs: number): Promise<NotificationRecord[]> {
    const rows = await claimLeased<{ id: string }>(manager, {
      table: 'notification',
      due: `status = 'PENDING' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1)`,
      orderBy: 'next_attempt_at',
      limit,
      lease: 'attempts = claimed.attempts + 1, locked_until = $2, updated_at = $1',
      returning: ['id'],
      params: [now, new Date(now.getTime() + leaseMs)],
    });
    if (rows.length === 0) return [];
    return manager.getRepository(NotificationRecord).find({ where: rows.map((r) => ({ id: r.id })) });
  }

  /** PENDING → SENT, only if it still is PENDING; false when another instance got there first. */
  async markSent(manager: EntityManager, id: string, cause: Cause, now: Date): Promise<boolean> {
    const affected = await updateCount(
      manager,
      `UPDATE notification SET status = 'SENT', sent_at = $2, locked_until = NULL, last_error = NULL, updated_at = $2
       WHERE id = $1 AND status = 'PENDING'`,
      [id, now],
    );
    if (affected !== 1) return false;
    await this.logTransition(manager, id, 'PENDING', 'SENT', cause, now);
    return true;
  }

  /** PENDING → FAILED with the mail server's refusal. */
  async markFailed(manager: EntityManager, id: string, error: string, cause: Cause, now: Date): Promise<boolean> {
    const affected = await updateCount(
      manager,
      `UPDATE notification SET status = 'FAILED', locked_until = NULL, last_error = $2, updated_at = $3
       WHERE id = $1 AND status = 'PENDING'`,
      [id, error, now],
    );
    if (affected !== 1) return false;
    await this.logTransition(manager, id, 'PENDING', 'FAILED', cause, now);
    return true;
  }

  /** Stays PENDING: releases the lease and schedules the next attempt (not a transition). */
  async scheduleRetry(manager: EntityManager, id: string, error: string, nextAttemptAt: Date, now: Date): Promise<void> {
    await manager.query(
      `UPDATE notification SET locked_until = NULL, next_attempt_at = $2, last_error = $3, updated_at = $4
       WHERE id = $1 AND status = 'PENDING'`,
      [id, nextAttemptAt, error, now],
    );
  }

  private async logTransition(manager: EntityManager, id: string, from: NotificationStatus | null, to: NotificationStatus, cause: Cause, now: Date): Promise<void> {
    await manager.query(
      'INSERT INTO notification_transition (notification_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, from, to, cause.id, cause.type, now],
    );
  }
}
