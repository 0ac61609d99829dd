import type { QueryRunner } from 'typeorm';

/**
 * The tables every service needs to take part in the saga. Each service has a migration that calls
 * these, so the messaging schema is versioned with the service's own schema.
 *
 * Version 1 is frozen: migrations that already ran call it, and editing it would give a fresh
 * database a schema no deployed one has. A change to these tables is a new `…V2` (the delta from V1)
 * called by a new migration in every service.
 */
export async function createMessagingTablesV1(queryRunner: QueryRunner): Promise<void> {
  // Debezium captures INSERTs into this table; rows are deleted in the same transaction (SPEC §3.1).
  await queryRunner.query(`
    CREATE TABLE outbox (
      id             uuid        PRIMARY KEY,
      aggregatetype  text        NOT NULL,
      aggregateid    text        NOT NULL,
      type           text        NOT NULL,
      event_version  integer     NOT NULL CHECK (event_version > 0),
      correlation_id text        NOT NULL,
      causation_id   text        NOT NULL,
      traceparent    text        NOT NULL,
      payload        jsonb       NOT NULL,
      occurred_at    timestamptz NOT NULL
    )`);
  // One row per (handler, event) ever handled: the dedup key, committed with the handler's effects.
  await queryRunner.query(`
    CREATE TABLE inbox (
      handler      text        NOT NULL,
      event_id     uuid        NOT NULL,
      topic        text        NOT NULL,
      kafka_partition integer  NOT NULL,
      kafka_offset bigint      NOT NULL,
      outcome      text        NOT NULL CHECK (outcome IN ('processed', 'dead-lettered')),
      processed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT inbox_handler_event_unique PRIMARY KEY (handler, event_id)
    )`);
  await queryRunner.query('CREATE INDEX inbox_processed_at_idx ON inbox (processed_at)');
  // What this service parked, for ops to list, show and redrive (the Kafka copy is on deadletter.events).
  await queryRunner.query(`
    CREATE TABLE dead_letter (
      id              uuid        PRIMARY KEY,
      handler         text        NOT NULL,
      consumer_group  text        NOT NULL,
      event_id        uuid        NOT NULL,
      topic           text        NOT NULL,
      kafka_partition integer     NOT NULL,
      kafka_offset    bigint      NOT NULL,
      kafka_key       text,
      headers         jsonb       NOT NULL,
      value           text,
      error_kind      text        NOT NULL,
      error           text        NOT NULL,
      attempts        integer     NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      redriven_at     timestamptz
    )`);
  await queryRunner.query('CREATE INDEX dead_letter_created_at_idx ON dead_letter (created_at)');
}

/** Undoes createMessagingTablesV1 (the down of the migrations that call it). */
export async function dropMessagingTablesV1(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('DROP TABLE IF EXISTS dead_letter');
  await queryRunner.query('DROP TABLE IF EXISTS inbox');
  await queryRunner.query('DROP TABLE IF EXISTS outbox');
}

/**
 * Version 2, the operator's side (SPEC §8–§9): dead letters get a lifecycle and a redrive history,
 * and the inbox records how far its pruning has gone, so a replay can be refused when it would
 * reach events the inbox no longer remembers.
 */
export async function createMessagingTablesV2(queryRunner: QueryRunner): Promise<void> {
  // parked → redrive-requested → redriven; a redrive that fails again goes back to parked with the
  // new error appended to `errors` (the first error stays in `error`).
  await queryRunner.query(`
    ALTER TABLE dead_letter
      ADD COLUMN status text NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'redrive-requested', 'redriven')),
      ADD COLUMN errors jsonb NOT NULL DEFAULT '[]'::jsonb,
      ADD COLUMN redrive_count integer NOT NULL DEFAULT 0`);
  await queryRunner.query(`UPDATE dead_letter SET status = 'redriven' WHERE redriven_at IS NOT NULL`);
  await queryRunner.query('CREATE INDEX dead_letter_status_idx ON dead_letter (status, kafka_key, kafka_offset)');
  // One row per redrive request: who asked, why, and what came of it (the audit trail of a letter).
  await queryRunner.query(`
    CREATE TABLE dead_letter_redrive (
      id             uuid        PRIMARY KEY,
      dead_letter_id uuid        NOT NULL REFERENCES dead_letter (id),
      requested_by   text        NOT NULL,
      reason         text        NOT NULL,
      requested_at   timestamptz NOT NULL DEFAULT now(),
      finished_at    timestamptz,
      outcome        text        CHECK (outcome IN ('applied', 'failed-again', 'already-handled')),
      error          text
    )`);
  await queryRunner.query('CREATE INDEX dead_letter_redrive_letter_idx ON dead_letter_redrive (dead_letter_id)');
  // Per handler: every inbox row processed at or before `pruned_through` may have been deleted.
  // A replay must not reach records older than that (they would be applied a second time).
  await queryRunner.query(`
    CREATE TABLE inbox_horizon (
      handler        text        PRIMARY KEY,
      pruned_through timestamptz NOT NULL,
      pruned_rows    bigint      NOT NULL DEFAULT 0,
      updated_at     timestamptz NOT NULL DEFAULT now()
    )`);
}

/** Undoes createMessagingTablesV2. */
export async function dropMessagingTablesV2(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('DROP TABLE IF EXISTS inbox_horizon');
  await queryRunner.query('DROP TABLE IF EXISTS dead_letter_redrive');
  await queryRunner.query('DROP INDEX IF EXISTS dead_letter_status_idx');
  await queryRunner.query('ALTER TABLE dead_letter DROP COLUMN IF EXISTS redrive_count, DROP COLUMN IF EXISTS errors, DROP COLUMN IF EXISTS status');
}
