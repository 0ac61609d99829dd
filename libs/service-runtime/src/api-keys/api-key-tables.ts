import type { QueryRunner } from 'typeorm';

/**
 * The `api_key` table, for the migrations of a service that authenticates clients with bearer API
 * keys. Only the SHA-256 of a key is stored (see hashApiKey); `key_prefix` finds it.
 */
export async function createApiKeyTables(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE api_key (
      id         uuid        PRIMARY KEY,
      client_id  text        NOT NULL CONSTRAINT api_key_client_id_not_empty CHECK (client_id <> ''),
      name       text        NOT NULL,
      key_prefix text        NOT NULL CONSTRAINT api_key_prefix_unique UNIQUE,
      key_hash   text        NOT NULL CONSTRAINT api_key_hash_is_sha256 CHECK (key_hash ~ '^[0-9a-f]{64}$'),
      scopes     text[]      NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`);
  await queryRunner.query('CREATE INDEX api_key_client_idx ON api_key (client_id)');
}

export async function dropApiKeyTables(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query('DROP TABLE IF EXISTS api_key');
}
