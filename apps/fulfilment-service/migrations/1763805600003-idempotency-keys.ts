import { MigrationInterface, QueryRunner } from 'typeorm';
import { createIdempotencyTables, dropIdempotencyTables } from '@paystate/service-runtime';

/** The idempotency keys of the operator's state-changing POSTs (SPEC §5). */
export class IdempotencyKeys1763805600003 implements MigrationInterface {
  name = 'IdempotencyKeys1763805600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIdempotencyTables(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropIdempotencyTables(queryRunner);
  }
}
