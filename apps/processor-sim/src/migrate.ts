import { runMigrations } from '@paystate/persistence';
import { loadConfig } from './config/config';
import { processorDataSourceOptions } from './infrastructure/persistence/data-source';

/** Applies this service's migrations and exits: run as its own step, before the service starts. */
runMigrations(processorDataSourceOptions(loadConfig()), (line) => console.log(`[processor-sim migrate] ${line}`)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[processor-sim migrate] failed:', error);
    process.exit(1);
  },
);
