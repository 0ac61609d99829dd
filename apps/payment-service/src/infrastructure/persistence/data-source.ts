import { DataSourceOptions } from 'typeorm';
import { serviceDataSourceOptions } from '@paystate/persistence';
import { MessagingTables1763805600000 } from '../../../migrations/1763805600000-messaging-tables';
import { Payments1763805600001 } from '../../../migrations/1763805600001-payments';
import { PaymentOperations1763805600002 } from '../../../migrations/1763805600002-payment-operations';
import { ApiKeysAndIdempotencyKeys1763805600003 } from '../../../migrations/1763805600003-api-keys-and-idempotency-keys';
import { PaymentBooksGuards1763805600004 } from '../../../migrations/1763805600004-payment-books-guards';
import { MessagingTablesV21764600000000 } from '../../../migrations/1764600000000-messaging-tables-v2';
import { StuckPayments1764600000014 } from '../../../migrations/1764600000014-stuck-payments';
import type { PaymentServiceConfig } from '../../config/config';
import { PaymentOperationRecord, PaymentRecord } from './payment.entity';

export const paymentDataSourceOptions = (config: PaymentServiceConfig): DataSourceOptions =>
  serviceDataSourceOptions({
    url: config.DATABASE_URL,
    applicationName: config.SERVICE_NAME,
    poolSize: config.DATABASE_POOL_SIZE,
    entities: [PaymentRecord, PaymentOperationRecord],
    migrations: [MessagingTables1763805600000, Payments1763805600001, PaymentOperations1763805600002, ApiKeysAndIdempotencyKeys1763805600003, PaymentBooksGuards1763805600004, MessagingTablesV21764600000000, StuckPayments1764600000014],
  });
