import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaymentOperations1763805600002 implements MigrationInterface {
  name = 'PaymentOperations1763805600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE payments
        ADD COLUMN authorisation_id text,
        ADD COLUMN capture_id text,
        ADD COLUMN refunded_amount bigint NOT NULL DEFAULT 0 CONSTRAINT payments_refund_within_amount CHECK (refunded_amount >= 0 AND refunded_amount <= amount)`);
    // Every processor call, persisted before it is made; its id is the Idempotency-Key we send.
    await queryRunner.query(`
      CREATE TABLE payment_operation (
        id              uuid        PRIMARY KEY,
        payment_id      uuid        NOT NULL REFERENCES payments(id),
        type            text        NOT NULL CONSTRAINT payment_operation_type_known CHECK (type IN ('AUTHORISE', 'CAPTURE', 'VOID', 'REFUND')),
        status          text        NOT NULL CONSTRAINT payment_operation_status_known CHECK (status IN ('PENDING', 'IN_FLIGHT', 'SUCCEEDED', 'FAILED', 'UNKNOWN')),
        reason          text        NOT NULL,
        amount          bigint      NOT NULL CHECK (amount > 0),
        attempts        integer     NOT NULL DEFAULT 0,
        -- an instance working on the operation holds it until then; after, another may take over
        locked_until    timestamptz,
        next_attempt_at timestamptz NOT NULL,
        -- past this, an outcome still unknown is handed to a person (REQUIRES_REVIEW)
        deadline_at     timestamptz NOT NULL,
        processor_object_id text,
        result_code     text,
        last_error      text,
        -- the trace of what caused the operation, continued by the events its outcome emits
        traceparent     text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // At most one unfinished operation of a type per payment: a redelivered trigger cannot start a second capture.
    await queryRunner.query(`
      CREATE UNIQUE INDEX payment_operation_one_open_per_type ON payment_operation (payment_id, type)
      WHERE status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN')`);
    await queryRunner.query(`
      CREATE INDEX payment_operation_due ON payment_operation (next_attempt_at)
      WHERE status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN')`);
    // Signed webhooks, stored before they are acknowledged and applied asynchronously.
    await queryRunner.query(`
      CREATE TABLE processor_webhook (
        event_id      text        PRIMARY KEY,
        type          text        NOT NULL,
        operation_id  uuid,
        sequence      bigint,
        payload       jsonb       NOT NULL,
        received_at   timestamptz NOT NULL,
        processed_at  timestamptz,
        outcome       text
      )`);
    await queryRunner.query('CREATE INDEX processor_webhook_unprocessed ON processor_webhook (received_at) WHERE processed_at IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE processor_webhook');
    await queryRunner.query('DROP TABLE payment_operation');
    await queryRunner.query('ALTER TABLE payments DROP COLUMN refunded_amount, DROP COLUMN capture_id, DROP COLUMN authorisation_id');
  }
}
