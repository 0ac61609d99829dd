import { MigrationInterface, QueryRunner } from 'typeorm';
import { createStuckSagaTableV1, dropStuckSagaTableV1 } from '@paystate/service-runtime';

/** The saga monitor's reports (SPEC §8, ADR 0017): one `stuck_saga` row per threshold crossing of a payment stuck in review or with an operation of unknown outcome. */
export class StuckPayments1764600000014 implements MigrationInterface {
  name = 'StuckPayments1764600000014';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createStuckSagaTableV1(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropStuckSagaTableV1(queryRunner);
  }
}
