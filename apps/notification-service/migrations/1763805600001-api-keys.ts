import { MigrationInterface, QueryRunner } from 'typeorm';
import { createApiKeyTables, dropApiKeyTables } from '@paystate/service-runtime';

/** Bearer API keys (hashed) for GET /notifications (SPEC §5); no idempotent POSTs here. */
export class ApiKeys1763805600001 implements MigrationInterface {
  name = 'ApiKeys1763805600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createApiKeyTables(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropApiKeyTables(queryRunner);
  }
}
