import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the mail server already accepted, as NotificationSent on notification.events says, for the
 * notifications a restored database no longer remembers (ADR 0019). `ops recover` fills it from the
 * topic before the restored service starts; the service consults it before it mails anything, so a
 * replayed fact never mails the customer a second time.
 */
export class NotificationSentReceipts1764600000006 implements MigrationInterface {
  name = 'NotificationSentReceipts1764600000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notification_sent_receipt (
        notification_id  uuid        PRIMARY KEY,
        order_id         uuid        NOT NULL,
        kind             text        NOT NULL,
        -- the fact the email told the customer about (the notification's natural key with order and kind)
        source_event_id  uuid        NOT NULL,
        message_id       text        NOT NULL,
        recipient        text        NOT NULL,
        sent_at          timestamptz NOT NULL,
        -- the NotificationSent event this receipt was read from, and where
        receipt_event_id uuid        NOT NULL,
        kafka_partition  integer     NOT NULL,
        kafka_offset     bigint      NOT NULL,
        recorded_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_sent_receipt_fact UNIQUE (order_id, kind, source_event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE notification_sent_receipt');
  }
}
