import { runMigrations } from '@paystate/persistence';
import { loadConfig } from './config/config';
import { paymentDataSourceOptions } from './infrastructure/persistence/data-source';

/** Applies this service's migrations and exits: run as its own step, before the service starts. */
runMigrations(paymentDataSourceOptions(loadConfig()), (line) => console.log(`[payment-service migrate] ${line}`)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[payment-service migrate] failed:', error);
    process.exit(1);
  },
);
