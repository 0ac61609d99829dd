import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The simulated processor's own records: its ground truth. No outbox: the processor is outside our
 * system and speaks only HTTP and webhooks.
 */
export class ProcessorRecords1763900000000 implements MigrationInterface {
  name = 'ProcessorRecords1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per idempotency key, written in the same transaction as the operation's effect: it
    // holds the stored response that every retry with the key gets back.
    await queryRunner.query(`
      CREATE TABLE operations (
        id               bigserial   PRIMARY KEY,
        client_id        text        NOT NULL,
        idempotency_key  text        NOT NULL CONSTRAINT operations_key_length CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
        operation        text        NOT NULL CONSTRAINT operations_operation_known CHECK (operation IN ('authorise', 'capture', 'void', 'refund')),
        fingerprint      text        NOT NULL,
        reference        text        NOT NULL,
        authorisation_id text        NOT NULL,
        object_id        text,
        response_status  integer     NOT NULL,
        response_body    text        NOT NULL,
        created_at       timestamptz NOT NULL,
        CONSTRAINT operations_one_per_key UNIQUE (client_id, idempotency_key)
      )`);
    await queryRunner.query('CREATE INDEX operations_reference_idx ON operations (reference, id)');

    await queryRunner.query(`
      CREATE TABLE authorisations (
        id              text        PRIMARY KEY,
        reference       text        NOT NULL,
        payment_method  text        NOT NULL,
        amount          bigint      NOT NULL CONSTRAINT authorisations_amount_positive CHECK (amount > 0),
        currency        char(3)     NOT NULL,
        status          text        NOT NULL CONSTRAINT authorisations_status_known
                                    CHECK (status IN ('authorised', 'declined', 'captured', 'voided', 'partially_refunded', 'refunded')),
        decline_code    text,
        captured_amount bigint      NOT NULL DEFAULT 0,
        refunded_amount bigint      NOT NULL DEFAULT 0,
        operation_key   text        NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        CONSTRAINT authorisations_declined_has_code CHECK ((status = 'declined') = (decline_code IS NOT NULL)),
        CONSTRAINT authorisations_captured_within_authorised CHECK (captured_amount BETWEEN 0 AND amount),
        CONSTRAINT authorisations_refunded_within_captured CHECK (refunded_amount BETWEEN 0 AND captured_amount)
      )`);
    await queryRunner.query('CREATE INDEX authorisations_reference_idx ON authorisations (reference, created_at)');

    // Attempts that failed (a test card) are recorded too, with status 'failed'.
    for (const table of ['captures', 'voids', 'refunds']) {
      await queryRunner.query(`
        CREATE TABLE ${table} (
          id               text        PRIMARY KEY,
          authorisation_id text        NOT NULL REFERENCES authorisations (id),
          reference        text        NOT NULL,
          amount           bigint      NOT NULL CONSTRAINT ${table}_amount_positive CHECK (amount > 0),
          currency         char(3)     NOT NULL,
          status           text        NOT NULL CONSTRAINT ${table}_status_known CHECK (status IN ('succeeded', 'failed')),
          operation_key    text        NOT NULL,
          created_at       timestamptz NOT NULL
        )`);
      await queryRunner.query(`CREATE INDEX ${table}_authorisation_idx ON ${table} (authorisation_id, created_at)`);
      await queryRunner.query(`CREATE INDEX ${table}_created_idx ON ${table} (created_at) WHERE status = 'succeeded'`);
    }
    // At most one successful capture and one successful void per authorisation, whatever the code does.
    await queryRunner.query(`CREATE UNIQUE INDEX captures_one_succeeded_per_authorisation ON captures (authorisation_id) WHERE status = 'succeeded'`);
    await queryRunner.query(`CREATE UNIQUE INDEX voids_one_succeeded_per_authorisation ON voids (authorisation_id) WHERE status = 'succeeded'`);

    // Webhook events are numbered per reference, in commit order.
    await queryRunner.query(`
      CREATE TABLE reference_sequences (
        reference     text   PRIMARY KEY,
        last_sequence bigint NOT NULL
      )`);
    // The durable delivery queue, written in the operation's transaction; polled with SKIP LOCKED.
    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id              bigserial   PRIMARY KEY,
        event_id        text        NOT NULL,
        copy            integer     NOT NULL DEFAULT 1,
        event_type      text        NOT NULL,
        reference       text        NOT NULL,
        sequence        bigint      NOT NULL,
        payload         text        NOT NULL,
        status          text        NOT NULL CONSTRAINT webhook_deliveries_status_known CHECK (status IN ('held', 'pending', 'delivered', 'failed')),
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_status     integer,
        last_error      text,
        created_at      timestamptz NOT NULL,
        delivered_at    timestamptz,
        CONSTRAINT webhook_deliveries_one_per_copy UNIQUE (event_id, copy)
      )`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_held_idx ON webhook_deliveries (reference) WHERE status = 'held'`);
    await queryRunner.query('CREATE INDEX webhook_deliveries_reference_idx ON webhook_deliveries (reference, id)');

    // Mistakes injected into a day's settlement report, applied in the order they were created.
    await queryRunner.query(`
      CREATE TABLE settlement_discrepancies (
        id              text        PRIMARY KEY,
        settlement_date date        NOT NULL,
        kind            text        NOT NULL CONSTRAINT settlement_discrepancies_kind_known CHECK (kind IN ('drop', 'amount', 'currency', 'duplicate', 'unknown')),
        details         jsonb       NOT NULL,
        created_at      timestamptz NOT NULL,
        seq             bigserial
      )`);
    await queryRunner.query('CREATE INDEX settlement_discrepancies_date_idx ON settlement_discrepancies (settlement_date, seq)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['settlement_discrepancies', 'webhook_deliveries', 'reference_sequences', 'refunds', 'voids', 'captures', 'authorisations', 'operations']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
