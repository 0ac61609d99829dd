import { MigrationInterface, QueryRunner } from 'typeorm';
import { createStuckSagaTableV1, dropStuckSagaTableV1 } from '@paystate/service-runtime';

/** The saga monitor's reports (SPEC §8, ADR 0017): one `stuck_saga` row per threshold crossing of an order stuck in a stage of its saga. */
export class StuckSagas1764600000004 implements MigrationInterface {
  name = 'StuckSagas1764600000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createStuckSagaTableV1(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropStuckSagaTableV1(queryRunner);
  }
}
