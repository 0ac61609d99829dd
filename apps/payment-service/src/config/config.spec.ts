import { configSchema, loadConfig } from './config';

const env = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/paystate_payment',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  PROCESSOR_URL: 'http://127.0.0.1:3010',
  PROCESSOR_API_KEY: 'sk_test_paystate',
  PROCESSOR_WEBHOOK_SECRETS: 'whsec_new, whsec_old',
};

describe('payment-service config', () => {
  it('needs the database, Kafka and the processor; everything else has a default', () => {
    expect(loadConfig(env)).toEqual({
      ...env,
      SERVICE_NAME: 'payment-service',
      PORT: 3002,
      HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: 10,
      KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.1:9093'],
      KAFKA_GROUP_ID: 'payment-service',
      KAFKA_PARTITIONS_CONCURRENTLY: 3,
      LOG_LEVEL: 'info',
      INBOX_RETENTION_MS: 1382400000,
      INBOX_PRUNE_INTERVAL_SECONDS: 300,
      DLQ_REDRIVE_INTERVAL_MS: 2000,
      INBOX_PRUNE_BATCH_SIZE: 500,
      PROCESSOR_WEBHOOK_SECRETS: ['whsec_new', 'whsec_old'],
      PROCESSOR_TIMEOUT_MS: 5_000,
      WEBHOOK_TOLERANCE_SECONDS: 300,
      PAYMENT_OPERATION_LEASE_MS: 15_000,
      PAYMENT_OPERATION_DEADLINE_MS: 900_000,
      PAYMENT_RESOLVER_INTERVAL_MS: 1_000,
      PAYMENT_SLA_REVIEW_MS: 3_600_000,
      PAYMENT_SLA_UNKNOWN_MS: 300_000,
      PAYMENT_SLA_ESCALATION: 4,
      PAYMENT_MONITOR_INTERVAL_MS: 30_000,
      IDEMPOTENCY_TTL_HOURS: 24,
      IDEMPOTENCY_LEASE_SECONDS: 30,
      IDEMPOTENCY_PURGE_INTERVAL_SECONDS: 300,
    });
  });

  it('names every variable a deployment must set when none is', () => {
    const required = ['DATABASE_URL', 'KAFKA_BROKERS', 'PROCESSOR_URL', 'PROCESSOR_API_KEY', 'PROCESSOR_WEBHOOK_SECRETS'];
    expect(Object.keys(configSchema.shape).filter((key) => !configSchema.shape[key as keyof typeof configSchema.shape].safeParse(undefined).success)).toEqual(required);
    expect(() => loadConfig({})).toThrow(new RegExp(`^payment-service configuration is invalid:\\n${required.map((key) => `  ${key}: .+`).join('\\n')}$`));
  });

  it.each([
    ['PORT', '0'],
    ['PORT', 'http'],
    ['DATABASE_URL', 'mysql://u:p@127.0.0.1/payment'],
    ['DATABASE_POOL_SIZE', '0'],
    ['KAFKA_BROKERS', ''],
    ['LOG_LEVEL', 'verbose'],
    ['PROCESSOR_URL', '127.0.0.1:3010 (no scheme)'],
    ['PROCESSOR_API_KEY', ''],
    ['PROCESSOR_WEBHOOK_SECRETS', ''],
    ['PROCESSOR_TIMEOUT_MS', '-1'],
    ['PAYMENT_OPERATION_LEASE_MS', '1.5'],
    ['IDEMPOTENCY_TTL_HOURS', '12'],
    ['IDEMPOTENCY_LEASE_SECONDS', '3600'],
  ])('refuses %s=%j, naming the key', (key, value) => {
    expect(() => loadConfig({ ...env, [key]: value })).toThrow(new RegExp(`^payment-service configuration is invalid:\\n  ${key}: .+$`));
  });
});
