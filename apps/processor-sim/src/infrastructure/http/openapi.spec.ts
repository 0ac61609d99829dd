import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { routeDrift } from '@paystate/service-runtime';
import { ProcessorSimModule } from '../../app.module';
import { loadConfig } from '../../config/config';
import { processorSimOpenApi } from './openapi';

const FILE = path.resolve(__dirname, '../../../../../docs/openapi/processor-sim.json');
// with the admin routes: the document describes them too (they exist only when enabled)
const ENV = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
  PROCESSOR_API_KEY: 'sk_test_openapi',
  PROCESSOR_WEBHOOK_URL: 'http://127.0.0.1:1/webhooks/processor',
  PROCESSOR_WEBHOOK_SECRETS: 'whsec_openapi_test_secret',
  PROCESSOR_ADMIN_ENABLED: 'true',
};

describe('processor-sim OpenAPI document', () => {
  const document = processorSimOpenApi();

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every route a controller declares, and no other', () => {
    expect(routeDrift(ProcessorSimModule.register(loadConfig(ENV)), document)).toEqual({ undocumented: [], undeclared: [] });
  });

  it('is what docs/openapi/processor-sim.json holds (otherwise run `npm run openapi`)', () => {
    if (readFileSync(FILE, 'utf8') !== `${JSON.stringify(document, null, 2)}\n`) {
      throw new Error('docs/openapi/processor-sim.json is stale: the API’s schemas changed. Run `npm run openapi` and commit the result.');
    }
  });
});
