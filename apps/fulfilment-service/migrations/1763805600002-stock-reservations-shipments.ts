import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock, the orders fulfilment has heard of, reservations, shipments, their transition log and the
 * carrier's injected faults. The invariants that concurrency must never break are constraints here,
 * named so that a violation says which one: above all `stock_reserved_within_on_hand` (no overselling).
 */
export class StockReservationsShipments1763805600002 implements MigrationInterface {
  name = 'StockReservationsShipments1763805600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stock (
        sku        text        PRIMARY KEY CONSTRAINT stock_sku_not_empty CHECK (sku <> ''),
        on_hand    integer     NOT NULL CONSTRAINT stock_on_hand_non_negative CHECK (on_hand >= 0),
        reserved   integer     NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL,
        CONSTRAINT stock_reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= on_hand)
      )`);
    // Every operator change of the on-hand count, with who made it.
    await queryRunner.query(`
      CREATE TABLE stock_adjustment (
        id          bigserial   PRIMARY KEY,
        sku         text        NOT NULL REFERENCES stock(sku),
        from_on_hand integer,
        to_on_hand  integer     NOT NULL,
        client_id   text        NOT NULL,
        at          timestamptz NOT NULL
      )`);
    // What fulfilment knows of an order: its lines once OrderPlaced is seen, and a payment authorised
    // before that (parked, SPEC §3.5) or withdrawn again before anything was reserved.
    await queryRunner.query(`
      CREATE TABLE fulfilment_order (
        order_id            uuid        PRIMARY KEY,
        lines               jsonb,
        currency            char(3),
        total               bigint,
        payment             text        NOT NULL DEFAULT 'NONE' CONSTRAINT fulfilment_order_payment_known CHECK (payment IN ('NONE', 'AUTHORISED', 'WITHDRAWN')),
        payment_id          uuid,
        cancelled           boolean     NOT NULL DEFAULT false,
        placed_event_id     uuid,
        authorised_event_id uuid,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        CONSTRAINT fulfilment_order_placed_complete CHECK ((lines IS NULL) = (currency IS NULL) AND (lines IS NULL) = (total IS NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE reservation (
        id             uuid        PRIMARY KEY,
        order_id       uuid        NOT NULL REFERENCES fulfilment_order(order_id) CONSTRAINT reservation_one_per_order UNIQUE,
        status         text        NOT NULL CONSTRAINT reservation_status_known CHECK (status IN ('HELD', 'CONSUMED', 'RELEASED', 'FAILED')),
        items          jsonb       NOT NULL,
        failure_reason text        CONSTRAINT reservation_failure_reason_known CHECK (failure_reason IN ('OUT_OF_STOCK', 'UNKNOWN_SKU')),
        unavailable    jsonb,
        release_reason text        CONSTRAINT reservation_release_reason_known CHECK (release_reason IN ('PAYMENT_VOIDED', 'PAYMENT_REFUNDED', 'ORDER_CANCELLED')),
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        CONSTRAINT reservation_failure_explained CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL)),
        CONSTRAINT reservation_release_explained CHECK ((status = 'RELEASED') = (release_reason IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE shipment (
        id              uuid        PRIMARY KEY,
        order_id        uuid        NOT NULL CONSTRAINT shipment_one_per_order UNIQUE,
        reservation_id  uuid        NOT NULL REFERENCES reservation(id),
        status          text        NOT NULL CONSTRAINT shipment_status_known CHECK (status IN ('DISPATCHED', 'FAILED')),
        carrier         text        NOT NULL,
        tracking_number text,
        failure_reason  text,
        items           jsonb       NOT NULL,
        amount          bigint      NOT NULL CONSTRAINT shipment_amount_positive CHECK (amount > 0),
        currency        char(3)     NOT NULL,
        created_at      timestamptz NOT NULL,
        CONSTRAINT shipment_dispatch_tracked CHECK ((status = 'DISPATCHED') = (tracking_number IS NOT NULL)),
        CONSTRAINT shipment_failure_explained CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL))
      )`);
    // Every status a reservation or shipment takes, with the event that caused it.
    await queryRunner.query(`
      CREATE TABLE fulfilment_transition (
        id          bigserial   PRIMARY KEY,
        order_id    uuid        NOT NULL,
        subject     text        NOT NULL CONSTRAINT fulfilment_transition_subject_known CHECK (subject IN ('RESERVATION', 'SHIPMENT')),
        subject_id  uuid        NOT NULL,
        from_status text,
        to_status   text        NOT NULL,
        cause_id    text        NOT NULL,
        cause_type  text        NOT NULL,
        at          timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX fulfilment_transition_order_idx ON fulfilment_transition (order_id, id)');
    // One row: the operator's injected carrier faults, counted down in the transaction of each hand-over.
    await queryRunner.query(`
      CREATE TABLE carrier_fault (
        id         smallint         PRIMARY KEY CONSTRAINT carrier_fault_single_row CHECK (id = 1),
        fail_next  integer          NOT NULL CONSTRAINT carrier_fault_fail_next_non_negative CHECK (fail_next >= 0),
        fail_rate  double precision NOT NULL CONSTRAINT carrier_fault_fail_rate_probability CHECK (fail_rate >= 0 AND fail_rate <= 1),
        updated_at timestamptz      NOT NULL
      )`);
    await queryRunner.query('INSERT INTO carrier_fault (id, fail_next, fail_rate, updated_at) VALUES (1, 0, 0, now())');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE carrier_fault');
    await queryRunner.query('DROP TABLE fulfilment_transition');
    await queryRunner.query('DROP TABLE shipment');
    await queryRunner.query('DROP TABLE reservation');
    await queryRunner.query('DROP TABLE fulfilment_order');
    await queryRunner.query('DROP TABLE stock_adjustment');
    await queryRunner.query('DROP TABLE stock');
  }
}
