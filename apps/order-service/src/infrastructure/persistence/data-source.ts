import { DataSourceOptions } from 'typeorm';
import { serviceDataSourceOptions } from '@paystate/persistence';
import { MessagingTables1763805600000 } from '../../../migrations/1763805600000-messaging-tables';
import { Orders1763805600001 } from '../../../migrations/1763805600001-orders';
import { ApiKeysAndIdempotencyKeys1763805600002 } from '../../../migrations/1763805600002-api-keys-and-idempotency-keys';
import { OrderSagaAndTimeline1763900000000 } from '../../../migrations/1763900000000-order-saga-and-timeline';
import { MessagingTablesV21764600000000 } from '../../../migrations/1764600000000-messaging-tables-v2';
import { StuckSagas1764600000004 } from '../../../migrations/1764600000004-stuck-sagas';
import type { OrderServiceConfig } from '../../config/config';
import { OrderRecord } from './order.entity';

export const orderDataSourceOptions = (config: OrderServiceConfig): DataSourceOptions =>
  serviceDataSourceOptions({
    url: config.DATABASE_URL,
    applicationName: config.SERVICE_NAME,
    poolSize: config.DATABASE_POOL_SIZE,
    entities: [OrderRecord],
    migrations: [MessagingTables1763805600000, Orders1763805600001, ApiKeysAndIdempotencyKeys1763805600002, OrderSagaAndTimeline1763900000000, MessagingTablesV21764600000000, StuckSagas1764600000004],
  });
