import { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV2, dropMessagingTablesV2 } from '@paystate/messaging';

export class MessagingTablesV21764600000000 implements MigrationInterface {
  name = 'MessagingTablesV21764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTablesV2(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTablesV2(queryRunner);
  }
}
