import type { QueryRunner } from 'typeorm';

/**
 * The `idempotency_key` table, for the migrations of a service with @Idempotent() routes.
 * One row per (client, key): `in-progress` while a request holds its lease (`lease_token`,
 * `locked_until`), `completed` with the response it stored. The completion commits in the same
 * transaction as the business effects (see completeIdempotencyKey).
 */
export async function createIdempotencyTables(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE idempotency_key (
      client_id             text        NOT NULL,
      key                   text        NOT NULL CONSTRAINT idempotency_key_length CHECK (char_length(key) BETWEEN 1 AND 255),
      fingerprint           text        NOT NULL,
      status                text        NOT NULL CONSTRAINT idempotency_key_status_known CHECK (status IN ('in-progress', 'completed')),
      lease_token           uuid,
      locked_until          timestamptz,
      response_status       integer,
      response_content_type text,
      response_body         text,
      created_at            timestamptz NOT NULL DEFAULT now(),
      expires_at            timestamptz NOT NULL,
      CONSTRAINT idempotency_key_pkey PRIMARY KEY (client_id, key),
      -- an in-progress row always has a lease; a completed one always has its response
      CONSTRAINT idempotency_key_state_complete CHECK (
        (status = 'in-progress' AND lease_token IS NOT NULL AND locked_until IS NOT NULL AND response_status IS NULL)
        OR (status = 'completed' AND response_status IS NOT NULL AND response_body IS NOT NULL AND response_content_type IS NOT NULL)
      )
    )`);
  await queryRunner.query('CREATE INDEX idempotency_key_expires_at_idx ON idempotency_key (expires_at)');
}

export async function dropIdempotencyTables(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('DROP TABLE IF EXISTS idempotency_key');
}
