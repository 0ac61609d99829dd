import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import type { OpsContext } from '../context';
import { failure, unavailable } from '../errors';
import type { ServiceSettings } from '../settings';
import { logBounds } from './positions';

/**
 * Service-specific repair of a restored database before the service starts (ADR 0019). Each hook is
 * idempotent: recover may run it again after being interrupted.
 */
export interface PreStartRepair {
  description: string;
  run(ctx: OpsContext, svc: ServiceSettings, since: Date, log: (message: string) => void): Promise<Record<string, unknown>>;
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

interface SentPayload {
  notificationId: string;
  orderId: string;
  kind: string;
  messageId: string;
  recipient: string;
  sourceEventId: string;
  sentAt: string;
}

/**
 * notification-service: emails sent after the backup are not in the restored database, and the
 * replay would create their notifications again and mail them. NotificationSent on
 * notification.events says which the mail server accepted: each becomes a row of
 * notification_sent_receipt, which the service consults before it mails (a receipt's notification
 * is marked SENT at its original time, not mailed, and not announced again).
 */
export const notificationReceipts: PreStartRepair = {
  description: 'record NotificationSent receipts from notification.events (since the backup time minus the margin) so no email is sent twice',
  async run(ctx, svc, since, log) {
    const topic = 'notification.events';
    const bounds = await logBounds(ctx, [topic]);
    const admin = await ctx.kafka();
    let starts;
    try {
      starts = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime());
    } catch (error) {
      throw unavailable(`Kafka (${ctx.settings.kafkaBrokers.join(',')})`, error);
    }
    const ranges = starts.map((s) => {
      const b = bounds.get(`${topic}/${s.partition}`)!;
      const from = Number(s.offset) < 0 ? b.high : Math.max(Number(s.offset), b.low);
      return { partition: s.partition, from, to: b.high };
    });
    const total = ranges.reduce((n, r) => n + Math.max(0, r.to - r.from), 0);
    const receipts: (SentPayload & { eventId: string; partition: number; offset: number })[] = [];
    if (total > 0) {
      const groupId = `paystate-ops-recover-${randomUUID()}`;
      const kafka = new Kafka({ clientId: 'paystate-ops', brokers: ctx.settings.kafkaBrokers, logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
      const left = new Map(ranges.filter((r) => r.to > r.from).map((r) => [r.partition, r]));
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        let resolveDone!: () => void;
        const done = new Promise<void>((r) => (resolveDone = r));
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const range = left.get(partition);
            const offset = Number(message.offset);
            if (!range || offset < range.from) return;
            if (offset < range.to && header(message.headers, 'eventType') === 'NotificationSent' && message.value) {
              const payload = JSON.parse(message.value.toString('utf8')) as SentPayload;
              receipts.push({ ...payload, eventId: header(message.headers, 'id') ?? '', partition, offset });
            }
            if (offset >= range.to - 1) {
              left.delete(partition);
              if (left.size === 0) resolveDone();
            }
          },
        });
        for (const r of left.values()) consumer.seek({ topic, partition: r.partition, offset: String(r.from) });
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(failure(`timed out reading ${topic} for NotificationSent receipts`)), 120_000).unref());
        await Promise.race([done, timeout]);
      } finally {
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
    }
    let inserted = 0;
    await ctx.withSuperuser(svc.database, async (c) => {
      for (const r of receipts) {
        const res = await c.query(
          `INSERT INTO notification_sent_receipt (notification_id, order_id, kind, source_event_id, message_id, recipient, sent_at, receipt_event_id, kafka_partition, kafka_offset)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [r.notificationId, r.orderId, r.kind, r.sourceEventId, r.messageId, r.recipient, r.sentAt, r.eventId, r.partition, r.offset],
        );
        inserted += res.rowCount ?? 0;
      }
    });
    log(`NotificationSent receipts: ${receipts.length} read from ${total} records of ${topic}, ${inserted} new`);
    return { recordsRead: total, receipts: receipts.length, inserted };
  },
};

/** The pre-start repair of each service that needs one. */
export const PRE_START_REPAIRS: Readonly<Record<string, PreStartRepair>> = {
  'notification-service': notificationReceipts,
};
