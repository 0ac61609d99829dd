import { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1763805600001 implements MigrationInterface {
  name = 'Payments1763805600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE payments (
        id             uuid        PRIMARY KEY,
        order_id       uuid        NOT NULL,
        status         text        NOT NULL CONSTRAINT payments_status_known CHECK (status IN
                         ('INITIATED', 'VALIDATED', 'AUTHORISED', 'CAPTURED', 'SETTLED', 'RECONCILED',
                          'FAILED', 'VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW')),
        amount         bigint      NOT NULL CONSTRAINT payments_amount_positive CHECK (amount > 0),
        currency       char(3)     NOT NULL,
        payment_method text        NOT NULL,
        version        integer     NOT NULL DEFAULT 1,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    // SPEC §5: expiry of an idempotency key is never the only guard: at most one live payment per order.
    await queryRunner.query(`
      CREATE UNIQUE INDEX payments_one_live_per_order ON payments (order_id)
      WHERE status NOT IN ('FAILED', 'VOIDED')`);
    await queryRunner.query(`
      CREATE TABLE payment_transition (
        id          bigserial   PRIMARY KEY,
        payment_id  uuid        NOT NULL REFERENCES payments(id),
        from_status text,
        to_status   text        NOT NULL,
        cause_id    text        NOT NULL,
        cause_type  text        NOT NULL,
        at          timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX payment_transition_payment_idx ON payment_transition (payment_id, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE payment_transition');
    await queryRunner.query('DROP TABLE payments');
  }
}
