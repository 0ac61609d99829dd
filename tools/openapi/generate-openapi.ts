// Writes docs/openapi/<service>.json from each service's zod schemas: `npm run openapi` (after a build:
// the services' imports of @paystate/* resolve to dist). Each service's src/infrastructure/http/openapi.spec.ts
// fails while the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fulfilmentServiceOpenApi } from '../../apps/fulfilment-service/src/infrastructure/http/openapi';
import { ledgerServiceOpenApi } from '../../apps/ledger-service/src/infrastructure/http/openapi';
import { notificationServiceOpenApi } from '../../apps/notification-service/src/infrastructure/http/openapi';
import { orderServiceOpenApi } from '../../apps/order-service/src/infrastructure/http/openapi';
import { paymentServiceOpenApi } from '../../apps/payment-service/src/infrastructure/http/openapi';
import { processorSimOpenApi } from '../../apps/processor-sim/src/infrastructure/http/openapi';

const REPO_ROOT = path.resolve(__dirname, '../..');
const DOCUMENTS = {
  'order-service': orderServiceOpenApi,
  'payment-service': paymentServiceOpenApi,
  'ledger-service': ledgerServiceOpenApi,
  'fulfilment-service': fulfilmentServiceOpenApi,
  'notification-service': notificationServiceOpenApi,
  'processor-sim': processorSimOpenApi,
};

for (const [service, build] of Object.entries(DOCUMENTS)) {
  const document = build();
  const file = path.join(REPO_ROOT, 'docs', 'openapi', `${service}.json`);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${path.relative(REPO_ROOT, file)}: ${Object.keys(document.paths ?? {}).length} paths`);
}
