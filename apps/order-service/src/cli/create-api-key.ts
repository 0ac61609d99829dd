import 'reflect-metadata';
import { runCreateApiKeyCli } from '@paystate/service-runtime';
import { loadConfig } from '../config/config';
import { KNOWN_ORDER_SCOPES } from '../infrastructure/http/scopes';
import { orderDataSourceOptions } from '../infrastructure/persistence/data-source';

/** `node apps/order-service/dist/src/cli/create-api-key.js --client <id> --scopes orders:write,orders:read [--name] [--key-file]` */
runCreateApiKeyCli({
  serviceName: 'order-service',
  knownScopes: KNOWN_ORDER_SCOPES,
  dataSourceOptions: () => orderDataSourceOptions({ ...loadConfig(), DATABASE_POOL_SIZE: 1 }),
});
