import { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTablesV1, dropMessagingTablesV1 } from '@paystate/messaging';

export class MessagingTables1763805600000 implements MigrationInterface {
  name = 'MessagingTables1763805600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTablesV1(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTablesV1(queryRunner);
  }
}
