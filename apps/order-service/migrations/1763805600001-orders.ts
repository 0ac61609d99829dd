import { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1763805600001 implements MigrationInterface {
  name = 'Orders1763805600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE orders (
        id             uuid        PRIMARY KEY,
        status         text        NOT NULL CONSTRAINT orders_status_known CHECK (status IN ('PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED')),
        customer_id    text        NOT NULL,
        customer_email text        NOT NULL,
        currency       char(3)     NOT NULL,
        items          jsonb       NOT NULL,
        total          bigint      NOT NULL CONSTRAINT orders_total_positive CHECK (total > 0),
        payment_method text        NOT NULL,
        cancellation_reason text,
        version        integer     NOT NULL DEFAULT 1,
        placed_at      timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL
      )`);
    // Every status change with what caused it (an HTTP request or an event id).
    await queryRunner.query(`
      CREATE TABLE order_transition (
        id          bigserial   PRIMARY KEY,
        order_id    uuid        NOT NULL REFERENCES orders(id),
        from_status text,
        to_status   text        NOT NULL,
        cause_id    text        NOT NULL,
        cause_type  text        NOT NULL,
        at          timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX order_transition_order_idx ON order_transition (order_id, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE order_transition');
    await queryRunner.query('DROP TABLE orders');
  }
}
