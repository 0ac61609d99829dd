import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { routeDrift } from '@paystate/service-runtime';
import { PaymentServiceModule } from '../../app.module';
import { loadConfig } from '../../config/config';
import { paymentServiceOpenApi } from './openapi';

const FILE = path.resolve(__dirname, '../../../../../docs/openapi/payment-service.json');
const ENV = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
  KAFKA_BROKERS: '127.0.0.1:1',
  PROCESSOR_URL: 'http://127.0.0.1:1',
  PROCESSOR_API_KEY: 'sk_test_openapi',
  PROCESSOR_WEBHOOK_SECRETS: 'whsec_openapi_test_secret',
};

describe('payment-service OpenAPI document', () => {
  const document = paymentServiceOpenApi();

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every route a controller declares, and no other', () => {
    expect(routeDrift(PaymentServiceModule.register(loadConfig(ENV)), document)).toEqual({ undocumented: [], undeclared: [] });
  });

  it('is what docs/openapi/payment-service.json holds (otherwise run `npm run openapi`)', () => {
    if (readFileSync(FILE, 'utf8') !== `${JSON.stringify(document, null, 2)}\n`) {
      throw new Error('docs/openapi/payment-service.json is stale: the API’s schemas changed. Run `npm run openapi` and commit the result.');
    }
  });
});
