import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { NotificationSentV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { BackgroundWorker } from '@paystate/service-runtime';
import { decideAfterAttempt } from '../../domain/notification';
import { Mailer } from '../../infrastructure/mail/mailer';
import type { NotificationRecord } from '../../infrastructure/persistence/notification.entity';
import { NotificationStore } from '../../infrastructure/persistence/notification-store';
import { DELIVERY_SETTINGS, DeliverySettings } from './delivery-settings';

const CLAIM_BATCH = 10;

const counter = (name: string, help: string): Counter<'kind'> =>
  (register.getSingleMetric(name) as Counter<'kind'> | undefined) ?? new Counter({ name, help, labelNames: ['kind'] });
const sentTotal = counter('paystate_notifications_sent_total', 'Emails accepted by the mail server');
const retriedTotal = counter('paystate_notification_retries_total', 'Send attempts that failed transiently and will be retried');
const failedTotal = counter('paystate_notifications_failed_total', 'Emails the mail server refused for good (alert on any increase)');

/**
 * Sends PENDING notifications (SPEC §7 F6: side effects only from events, each deduplicated).
 *
 * Due notifications are claimed with one `FOR UPDATE SKIP LOCKED` statement that counts the
 * attempt and sets a lease, so several instances never send the same one concurrently. After the
 * mail server accepted a message, one transaction marks it SENT (guarded on PENDING) and emits
 * NotificationSent. A crash between the acceptance and that commit leaves it PENDING: when the
 * lease runs out it is sent again with the same Message-ID — the one at-least-once edge, because
 * an SMTP server cannot take part in our transaction. Runs at start, every sweep interval and
 * when kicked after a commit that created due notifications.
 */
@Injectable()
export class NotificationDelivery extends BackgroundWorker {
  private readonly logger = new Logger(NotificationDelivery.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: NotificationStore,
    private readonly mailer: Mailer,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
  ) {
    super('notification delivery', settings.sweepIntervalMs, new Logger(NotificationDelivery.name));
  }

  /** One batch; true when a full batch suggests there is more. */
  protected async runOnce(): Promise<boolean> {
    const claimed = await this.store.claimDue(this.dataSource.manager, new Date(), CLAIM_BATCH, this.settings.leaseMs);
    await Promise.all(claimed.map((n) => this.deliver(n)));
    return claimed.length === CLAIM_BATCH;
  }

  /**
   * A notification re-created by the replay after a restore whose email the mail server accepted
   * before (a receipt `ops recover` recorded from NotificationSent, ADR 0019): SENT at the original
   * time, not mailed again, and no second NotificationSent (the first is on the topic).
   */
  private async alreadySent(n: NotificationRecord): Promise<boolean> {
    const receipt = await this.store.sentReceiptOf(this.dataSource.manager, n);
    if (!receipt) return false;
    await this.dataSource.transaction((manager) => this.store.markSentFromReceipt(manager, n.id, receipt.sentAt, { id: n.id, type: 'smtp-attempt' }, new Date()));
    this.logger.log({ notificationId: n.id, orderId: n.orderId, kind: n.kind, messageId: receipt.messageId }, 'sent before the database was restored (receipt): not mailed again');
    return true;
  }

  private async deliver(n: NotificationRecord): Promise<void> {
    const recipient = n.recipient;
    if (recipient === null) return; // a PENDING row always has one (notification_addressed_unless_waiting)
    if (await this.alreadySent(n)) return;
    const result = await this.mailer.send({
      to: recipient,
      subject: n.subject,
      text: n.textBody,
      html: n.htmlBody,
      messageId: n.messageId,
      date: n.createdAt,
      headers: { 'X-Paystate-Order-Id': n.orderId, 'X-Paystate-Notification-Kind': n.kind, 'X-Paystate-Notification-Id': n.id },
    });
    const now = new Date();
    const decision = decideAfterAttempt(result, n.attempts, this.settings.maxBackoffMs);
    const cause = { id: n.id, type: 'smtp-attempt' };
    const log = { notificationId: n.id, orderId: n.orderId, kind: n.kind, attempt: n.attempts };
    switch (decision.status) {
      case 'SENT':
        await this.dataSource.transaction(async (manager) => {
          if (!(await this.store.markSent(manager, n.id, cause, now))) return;
          await appendToOutbox(manager, [
            {
              contract: NotificationSentV1,
              payload: {
                notificationId: n.id,
                orderId: n.orderId,
                kind: n.kind,
                channel: 'email',
                recipient,
                messageId: n.messageId,
                sourceEventId: n.sourceEventId,
                sentAt: now.toISOString(),
              },
              aggregateId: n.orderId,
              cause: { correlationId: n.orderId, causationId: n.sourceEventId, ...(n.traceparent ? { traceparent: n.traceparent } : {}) },
              occurredAt: now,
            },
          ]);
          sentTotal.inc({ kind: n.kind });
        });
        this.logger.log({ ...log, messageId: n.messageId }, 'email sent');
        return;
      case 'PENDING':
        retriedTotal.inc({ kind: n.kind });
        this.logger.warn({ ...log, error: decision.error, retryInMs: decision.retryInMs }, 'mail server unavailable; will retry');
        await this.store.scheduleRetry(this.dataSource.manager, n.id, decision.error, new Date(now.getTime() + decision.retryInMs), now);
        return;
      case 'FAILED':
        await this.dataSource.transaction(async (manager) => {
          if (await this.store.markFailed(manager, n.id, decision.error, cause, now)) failedTotal.inc({ kind: n.kind });
        });
        this.logger.error({ ...log, error: decision.error }, 'mail server refused the email for good: notification FAILED');
        return;
    }
  }
}
