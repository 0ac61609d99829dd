import { DataSourceOptions } from 'typeorm';
import { serviceDataSourceOptions } from '@paystate/persistence';
import { MessagingTables1763805600000 } from '../../../migrations/1763805600000-messaging-tables';
import { ApiKeys1763805600001 } from '../../../migrations/1763805600001-api-keys';
import { StockReservationsShipments1763805600002 } from '../../../migrations/1763805600002-stock-reservations-shipments';
import { IdempotencyKeys1763805600003 } from '../../../migrations/1763805600003-idempotency-keys';
import { MessagingTablesV21764600000000 } from '../../../migrations/1764600000000-messaging-tables-v2';
import type { FulfilmentServiceConfig } from '../../config/config';

/** No entities: every statement is hand-written SQL, so each guarded update reads as what it guards. */
export const fulfilmentDataSourceOptions = (config: Pick<FulfilmentServiceConfig, 'DATABASE_URL' | 'SERVICE_NAME' | 'DATABASE_POOL_SIZE'>): DataSourceOptions =>
  serviceDataSourceOptions({
    url: config.DATABASE_URL,
    applicationName: config.SERVICE_NAME,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: [MessagingTables1763805600000, ApiKeys1763805600001, StockReservationsShipments1763805600002, IdempotencyKeys1763805600003, MessagingTablesV21764600000000],
  });
