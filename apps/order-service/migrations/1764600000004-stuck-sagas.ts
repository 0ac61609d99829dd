import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The saga monitor's reports (SPEC §8, ADR 0017): one row per threshold crossing of an order that
 * stayed in a stage of its saga past that stage's SLA. Unique per (order, stage, since, level), so a
 * second instance's insert is a no-op and the event appended with the row is appended once.
 */
export class StuckSagas1764600000004 implements MigrationInterface {
  name = 'StuckSagas1764600000004';

  async up(queryRunner: QueryRunner): Promise<void> {
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

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE stuck_saga');
  }
}
