import { configSchema, loadConfig } from './config';

const env = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/paystate_ledger', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('ledger-service config', () => {
  it('needs only the database and Kafka; everything else has a default', () => {
    expect(loadConfig(env)).toEqual({
      ...env,
      SERVICE_NAME: 'ledger-service',
      PORT: 3003,
      HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: 10,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_GROUP_ID: 'ledger-service',
      KAFKA_PARTITIONS_CONCURRENTLY: 3,
      LOG_LEVEL: 'info',
      INBOX_RETENTION_MS: 1382400000,
      INBOX_PRUNE_INTERVAL_SECONDS: 300,
      DLQ_REDRIVE_INTERVAL_MS: 2000,
      INBOX_PRUNE_BATCH_SIZE: 500,
    });
  });

  it('takes its own values over the defaults', () => {
    const config = loadConfig({ ...env, PORT: '13003', HOST: '0.0.0.0', KAFKA_GROUP_ID: 'ledger-replay', KAFKA_PARTITIONS_CONCURRENTLY: '8', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ PORT: 13003, HOST: '0.0.0.0', KAFKA_GROUP_ID: 'ledger-replay', KAFKA_PARTITIONS_CONCURRENTLY: 8, LOG_LEVEL: 'debug' });
  });

  it('names every variable a deployment must set when none is', () => {
    const required = Object.keys(configSchema.shape).filter((key) => !configSchema.shape[key as keyof typeof configSchema.shape].safeParse(undefined).success);
    expect(required).toEqual(['DATABASE_URL', 'KAFKA_BROKERS']);
    expect(() => loadConfig({})).toThrow(/^ledger-service configuration is invalid:\n {2}DATABASE_URL: .+\n {2}KAFKA_BROKERS: .+$/);
  });

  it.each([
    ['PORT', '65536'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '-2'],
    ['KAFKA_BROKERS', ''],
    ['KAFKA_PARTITIONS_CONCURRENTLY', '33'],
    ['LOG_LEVEL', 'INFO'],
  ])('refuses %s=%j, naming the key', (key, value) => {
    expect(() => loadConfig({ ...env, [key]: value })).toThrow(new RegExp(`^ledger-service configuration is invalid:\\n  ${key}: .+$`));
  });
});
