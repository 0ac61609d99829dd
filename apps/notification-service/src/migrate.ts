import { runMigrations } from '@paystate/persistence';
import { loadConfig } from './config/config';
import { notificationDataSourceOptions } from './infrastructure/persistence/data-source';

/** Applies this service's migrations and exits: run as its own step, before the service starts. */
runMigrations(notificationDataSourceOptions(loadConfig()), (line) => console.log(`[notification-service migrate] ${line}`)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[notification-service migrate] failed:', error);
    process.exit(1);
  },
);
