import type { QueryRunner } from 'typeorm';

/**
 * The `stuck_saga` table (SPEC §8, ADR 0017), the same in every service with a saga monitor: one row
 * per threshold crossing of a subject (an order, a payment) that stayed in a watched stage past its
 * SLA. Unique per (subject, stage, since, level), so a second instance's insert is a no-op and the
 * event appended with the row is appended once (stuck-store.ts relies on the constraint's name).
 *
 * Version 1. A service's migration calls it (order-service 1764600000004, payment-service
 * 1764600000014); a change to the table is a version 2 beside it, never an edit of this one, since
 * deployed databases have run it.
 */
export async function createStuckSagaTableV1(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE stuck_saga (
      id                bigserial   PRIMARY KEY,
      subject_id        uuid        NOT NULL,
      order_id          uuid        NOT NULL,
      stage             text        NOT NULL,
      since             timestamptz NOT NULL,
      level             text        NOT NULL CONSTRAINT stuck_saga_level_known CHECK (level IN ('WARNING', 'CRITICAL')),
      threshold_ms      bigint      NOT NULL CHECK (threshold_ms > 0),
      awaiting_event    text        NOT NULL,
      awaiting_producer text        NOT NULL,
      event_id          uuid        NOT NULL,
      first_seen        timestamptz NOT NULL,
      acknowledged_at   timestamptz,
      acknowledged_by   text,
      note              text,
      resolved_at       timestamptz,
      CONSTRAINT stuck_saga_once_per_crossing UNIQUE (subject_id, stage, since, level),
      CONSTRAINT stuck_saga_acknowledged_by_someone CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
    )`);
  await queryRunner.query('CREATE INDEX stuck_saga_open_idx ON stuck_saga (order_id) WHERE resolved_at IS NULL');
}

/** Undoes createStuckSagaTableV1. */
export async function dropStuckSagaTableV1(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('DROP TABLE stuck_saga');
}
