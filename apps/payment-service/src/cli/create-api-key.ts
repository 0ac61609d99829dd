import 'reflect-metadata';
import { runCreateApiKeyCli } from '@paystate/service-runtime';
import { loadConfig } from '../config/config';
import { KNOWN_PAYMENT_SCOPES } from '../infrastructure/http/scopes';
import { paymentDataSourceOptions } from '../infrastructure/persistence/data-source';

/** `node apps/payment-service/dist/src/cli/create-api-key.js --client <id> --scopes payments:read,payments:refund [--name] [--key-file]` */
runCreateApiKeyCli({
  serviceName: 'payment-service',
  knownScopes: KNOWN_PAYMENT_SCOPES,
  dataSourceOptions: () => paymentDataSourceOptions({ ...loadConfig(), DATABASE_POOL_SIZE: 1 }),
});
