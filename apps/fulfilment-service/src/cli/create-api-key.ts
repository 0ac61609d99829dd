import 'reflect-metadata';
import { runCreateApiKeyCli } from '@paystate/service-runtime';
import { loadConfig } from '../config/config';
import { KNOWN_FULFILMENT_SCOPES } from '../infrastructure/http/scopes';
import { fulfilmentDataSourceOptions } from '../infrastructure/persistence/data-source';

/** `node apps/fulfilment-service/dist/src/cli/create-api-key.js --client <id> --scopes stock:read,stock:write,shipments:read [--name] [--key-file]` */
runCreateApiKeyCli({
  serviceName: 'fulfilment-service',
  knownScopes: KNOWN_FULFILMENT_SCOPES,
  dataSourceOptions: () => fulfilmentDataSourceOptions({ ...loadConfig(), DATABASE_POOL_SIZE: 1 }),
});
