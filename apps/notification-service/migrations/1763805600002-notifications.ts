import { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1763805600002 implements MigrationInterface {
  name = 'Notifications1763805600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Who to tell about an order: remembered from OrderPlaced (or any order fact carrying it).
    await queryRunner.query(`
      CREATE TABLE order_recipient (
        order_id        uuid        PRIMARY KEY,
        customer_id     text        NOT NULL,
        customer_email  text        NOT NULL,
        source_event_id uuid        NOT NULL,
        recorded_at     timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE notification (
        id              uuid        PRIMARY KEY,
        order_id        uuid        NOT NULL,
        kind            text        NOT NULL CONSTRAINT notification_kind_known CHECK (kind IN ('ORDER_CONFIRMED', 'ORDER_DISPATCHED', 'ORDER_CANCELLED', 'PAYMENT_REFUNDED')),
        status          text        NOT NULL CONSTRAINT notification_status_known CHECK (status IN ('WAITING_FOR_RECIPIENT', 'PENDING', 'SENT', 'FAILED')),
        -- the event the email tells the customer about
        source_event_id uuid        NOT NULL,
        recipient       text,
        subject         text        NOT NULL,
        text_body       text        NOT NULL,
        html_body       text        NOT NULL,
        -- derived from id: a resend after a crash carries the same one
        message_id      text        NOT NULL,
        attempts        integer     NOT NULL DEFAULT 0 CONSTRAINT notification_attempts_non_negative CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL,
        -- an instance sending the email holds it until then; after, another may take over
        locked_until    timestamptz,
        last_error      text,
        traceparent     text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        sent_at         timestamptz,
        CONSTRAINT notification_one_per_fact UNIQUE (order_id, kind, source_event_id),
        CONSTRAINT notification_message_id_unique UNIQUE (message_id),
        CONSTRAINT notification_addressed_unless_waiting CHECK ((status = 'WAITING_FOR_RECIPIENT') = (recipient IS NULL)),
        CONSTRAINT notification_sent_has_time CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
      )`);
    // An order is confirmed, dispatched and cancelled at most once: the same fact re-emitted under
    // another event id still gets one email. Refunds can be several (partial refunds).
    await queryRunner.query(`
      CREATE UNIQUE INDEX notification_one_per_order_fact ON notification (order_id, kind)
      WHERE kind IN ('ORDER_CONFIRMED', 'ORDER_DISPATCHED', 'ORDER_CANCELLED')`);
    await queryRunner.query(`CREATE INDEX notification_due ON notification (next_attempt_at) WHERE status = 'PENDING'`);
    await queryRunner.query(`CREATE INDEX notification_waiting ON notification (order_id) WHERE status = 'WAITING_FOR_RECIPIENT'`);
    await queryRunner.query(`
      CREATE TABLE notification_transition (
        id              bigserial   PRIMARY KEY,
        notification_id uuid        NOT NULL REFERENCES notification(id),
        from_status     text,
        to_status       text        NOT NULL,
        cause_id        text        NOT NULL,
        cause_type      text        NOT NULL,
        at              timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX notification_transition_notification_idx ON notification_transition (notification_id, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE notification_transition');
    await queryRunner.query('DROP TABLE notification');
    await queryRunner.query('DROP TABLE order_recipient');
  }
}
