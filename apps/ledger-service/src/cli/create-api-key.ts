import 'reflect-metadata';
import { runCreateApiKeyCli } from '@paystate/service-runtime';
import { loadConfig } from '../config/config';
import { KNOWN_LEDGER_SCOPES } from '../infrastructure/http/scopes';
import { ledgerDataSourceOptions } from '../infrastructure/persistence/data-source';

/** `node apps/ledger-service/dist/src/cli/create-api-key.js --client <id> --scopes ledger:read [--name] [--key-file]` */
runCreateApiKeyCli({
  serviceName: 'ledger-service',
  knownScopes: KNOWN_LEDGER_SCOPES,
  dataSourceOptions: () => ledgerDataSourceOptions({ ...loadConfig(), DATABASE_POOL_SIZE: 1 }),
});
