import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the order learns from the saga (payment and fulfilment status, why it was cancelled, its
 * shipment) and the timeline: every event of the order, whichever service emitted it.
 */
export class OrderSagaAndTimeline1763900000000 implements MigrationInterface {
  name = 'OrderSagaAndTimeline1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE orders
        ADD COLUMN payment_status text CONSTRAINT orders_payment_status_known
          CHECK (payment_status IN ('AUTHORISED', 'FAILED', 'CAPTURED', 'VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW')),
        ADD COLUMN fulfilment_status text CONSTRAINT orders_fulfilment_status_known
          CHECK (fulfilment_status IN ('RESERVED', 'RESERVATION_FAILED', 'RELEASED', 'DISPATCHED', 'SHIPMENT_FAILED')),
        ADD COLUMN cancellation_detail text,
        ADD COLUMN refunded boolean NOT NULL DEFAULT false,
        ADD COLUMN shipment jsonb,
        ADD CONSTRAINT orders_cancellation_reason_known
          CHECK (cancellation_reason IN ('PAYMENT_DECLINED', 'PAYMENT_INVALID', 'OUT_OF_STOCK', 'CAPTURE_FAILED', 'SHIPMENT_FAILED')),
        -- a cancelled order always says why; no other order carries a reason
        ADD CONSTRAINT orders_cancelled_has_reason CHECK ((status = 'CANCELLED') = (cancellation_reason IS NOT NULL)),
        -- a completed order has shipped
        ADD CONSTRAINT orders_completed_has_shipment CHECK (status <> 'COMPLETED' OR shipment IS NOT NULL)`);
    await queryRunner.query(`
      CREATE TABLE order_timeline (
        seq          bigserial   PRIMARY KEY,
        event_id     uuid        NOT NULL CONSTRAINT order_timeline_event_once UNIQUE,
        order_id     uuid        NOT NULL REFERENCES orders(id),
        service      text        NOT NULL,
        topic        text        NOT NULL,
        type         text        NOT NULL,
        version      integer     NOT NULL,
        causation_id text,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX order_timeline_order_idx ON order_timeline (order_id, occurred_at, seq)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE order_timeline');
    await queryRunner.query(`
      ALTER TABLE orders
        DROP CONSTRAINT orders_completed_has_shipment,
        DROP CONSTRAINT orders_cancelled_has_reason,
        DROP CONSTRAINT orders_cancellation_reason_known,
        DROP COLUMN shipment,
        DROP COLUMN refunded,
        DROP COLUMN cancellation_detail,
        DROP COLUMN fulfilment_status,
        DROP COLUMN payment_status`);
  }
}
