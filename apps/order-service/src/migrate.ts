import { runMigrations } from '@paystate/persistence';
import { loadConfig } from './config/config';
import { orderDataSourceOptions } from './infrastructure/persistence/data-source';

/** Applies this service's migrations and exits: run as its own step, before the service starts. */
runMigrations(orderDataSourceOptions(loadConfig()), (line) => console.log(`[order-service migrate] ${line}`)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[order-service migrate] failed:', error);
    process.exit(1);
  },
);
