import { MigrationInterface, QueryRunner } from 'typeorm';
import { createApiKeyTables, createIdempotencyTables, dropApiKeyTables, dropIdempotencyTables } from '@paystate/service-runtime';

/** Bearer API keys (hashed) and the idempotency keys of operator refunds (SPEC §5). */
export class ApiKeysAndIdempotencyKeys1763805600003 implements MigrationInterface {
  name = 'ApiKeysAndIdempotencyKeys1763805600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createApiKeyTables(queryRunner);
    await createIdempotencyTables(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIdempotencyTables(queryRunner);
    await dropApiKeyTables(queryRunner);
  }
}
