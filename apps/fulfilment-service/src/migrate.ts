import { runMigrations } from '@paystate/persistence';
import { loadConfig } from './config/config';
import { fulfilmentDataSourceOptions } from './infrastructure/persistence/data-source';

/** Applies this service's migrations and exits: run as its own step, before the service starts. */
runMigrations(fulfilmentDataSourceOptions(loadConfig()), (line) => console.log(`[fulfilment-service migrate] ${line}`)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[fulfilment-service migrate] failed:', error);
    process.exit(1);
  },
);
