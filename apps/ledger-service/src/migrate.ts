import { runMigrations } from '@paystate/persistence';
import { loadConfig } from './config/config';
import { ledgerDataSourceOptions } from './infrastructure/persistence/data-source';

/** Applies this service's migrations and exits: run as its own step, before the service starts. */
runMigrations(ledgerDataSourceOptions(loadConfig()), (line) => console.log(`[ledger-service migrate] ${line}`)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[ledger-service migrate] failed:', error);
    process.exit(1);
  },
);
