import { DataSourceOptions } from 'typeorm';
import { serviceDataSourceOptions } from '@paystate/persistence';
import { MessagingTables1763805600000 } from '../../../migrations/1763805600000-messaging-tables';
import { ApiKeys1763805600001 } from '../../../migrations/1763805600001-api-keys';
import { Ledger1763805600002 } from '../../../migrations/1763805600002-ledger';
import { MessagingTablesV21764600000000 } from '../../../migrations/1764600000000-messaging-tables-v2';
import type { LedgerServiceConfig } from '../../config/config';

/** No entities: journals are written and read with plain SQL through LedgerStore (append-only tables, sums). */
export const ledgerDataSourceOptions = (config: Pick<LedgerServiceConfig, 'DATABASE_URL' | 'SERVICE_NAME' | 'DATABASE_POOL_SIZE'>): DataSourceOptions =>
  serviceDataSourceOptions({
    url: config.DATABASE_URL,
    applicationName: config.SERVICE_NAME,
    poolSize: config.DATABASE_POOL_SIZE,
    migrations: [MessagingTables1763805600000, ApiKeys1763805600001, Ledger1763805600002, MessagingTablesV21764600000000],
  });
