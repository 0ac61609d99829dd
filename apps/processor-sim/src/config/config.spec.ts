import { configSchema, loadConfig } from './config';

const env = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/paystate_processor',
  PROCESSOR_API_KEY: 'sk_test_paystate',
  PROCESSOR_WEBHOOK_URL: 'http://127.0.0.1:3002/webhooks/processor',
  PROCESSOR_WEBHOOK_SECRETS: 'whsec_new, whsec_old',
};

describe('processor-sim config', () => {
  it('needs the database, its API key and where to send signed webhooks; the admin routes are off by default', () => {
    expect(loadConfig(env)).toEqual({
      ...env,
      SERVICE_NAME: 'processor-sim',
      PORT: 3010,
      HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
      PROCESSOR_WEBHOOK_SECRETS: ['whsec_new', 'whsec_old'],
      PROCESSOR_ADMIN_ENABLED: false,
      PROCESSOR_SLOW_MS: 3000,
      PROCESSOR_WEBHOOK_RETRY_BASE_MS: 500,
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('reads PROCESSOR_ADMIN_ENABLED=%s as %s', (value, enabled) => {
    expect(loadConfig({ ...env, PROCESSOR_ADMIN_ENABLED: value }).PROCESSOR_ADMIN_ENABLED).toBe(enabled);
  });

  it('names every variable a deployment must set when none is', () => {
    const required = Object.keys(configSchema.shape).filter((key) => !configSchema.shape[key as keyof typeof configSchema.shape].safeParse(undefined).success);
    expect(required).toEqual(['DATABASE_URL', 'PROCESSOR_API_KEY', 'PROCESSOR_WEBHOOK_URL', 'PROCESSOR_WEBHOOK_SECRETS']);
    expect(() => loadConfig({})).toThrow(/^processor-sim configuration is invalid:\n {2}DATABASE_URL: .+\n {2}PROCESSOR_API_KEY: .+\n {2}PROCESSOR_WEBHOOK_URL: .+\n {2}PROCESSOR_WEBHOOK_SECRETS: .+$/);
  });

  it.each([
    ['PORT', '0'],
    ['DATABASE_URL', 'http://127.0.0.1:5432/paystate_processor'],
    ['LOG_LEVEL', 'loud'],
    ['PROCESSOR_API_KEY', 'short'],
    ['PROCESSOR_WEBHOOK_URL', 'ftp://127.0.0.1/webhooks'],
    ['PROCESSOR_WEBHOOK_SECRETS', ' , '],
    ['PROCESSOR_ADMIN_ENABLED', 'yes'],
    ['PROCESSOR_SLOW_MS', '600001'],
    ['PROCESSOR_WEBHOOK_RETRY_BASE_MS', '0'],
  ])('refuses %s=%j, naming the key', (key, value) => {
    expect(() => loadConfig({ ...env, [key]: value })).toThrow(new RegExp(`^processor-sim configuration is invalid:\\n  ${key}: .+$`));
  });

  it('says why a key is refused where the rule is not obvious', () => {
    expect(() => loadConfig({ ...env, PROCESSOR_API_KEY: 'short' })).toThrow('PROCESSOR_API_KEY: must be at least 8 characters');
    expect(() => loadConfig({ ...env, PROCESSOR_WEBHOOK_SECRETS: ',' })).toThrow('PROCESSOR_WEBHOOK_SECRETS: must name at least one secret');
  });
});
