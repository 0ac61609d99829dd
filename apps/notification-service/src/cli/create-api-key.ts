import 'reflect-metadata';
import { runCreateApiKeyCli } from '@paystate/service-runtime';
import { loadConfig } from '../config/config';
import { KNOWN_NOTIFICATION_SCOPES } from '../infrastructure/http/scopes';
import { notificationDataSourceOptions } from '../infrastructure/persistence/data-source';

/** `node apps/notification-service/dist/src/cli/create-api-key.js --client <id> --scopes notifications:read [--name] [--key-file]` */
runCreateApiKeyCli({
  serviceName: 'notification-service',
  knownScopes: KNOWN_NOTIFICATION_SCOPES,
  dataSourceOptions: () => notificationDataSourceOptions({ ...loadConfig(), DATABASE_POOL_SIZE: 1 }),
});
