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
