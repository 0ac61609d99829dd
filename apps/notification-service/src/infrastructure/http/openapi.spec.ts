import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { routeDrift } from '@paystate/service-runtime';
import { NotificationServiceModule } from '../../app.module';
import { loadConfig } from '../../config/config';
import { notificationServiceOpenApi } from './openapi';

const FILE = path.resolve(__dirname, '../../../../../docs/openapi/notification-service.json');
const ENV = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', KAFKA_BROKERS: '127.0.0.1:1', SMTP_HOST: '127.0.0.1', SMTP_PORT: '2525' };

describe('notification-service OpenAPI document', () => {
  const document = notificationServiceOpenApi();

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every route a controller declares, and no other', () => {
    expect(routeDrift(NotificationServiceModule.register(loadConfig(ENV)), document)).toEqual({ undocumented: [], undeclared: [] });
  });

  it('is what docs/openapi/notification-service.json holds (otherwise run `npm run openapi`)', () => {
    if (readFileSync(FILE, 'utf8') !== `${JSON.stringify(document, null, 2)}\n`) {
      throw new Error('docs/openapi/notification-service.json is stale: the API’s schemas changed. Run `npm run openapi` and commit the result.');
    }
  });
});
