import { z } from 'zod';
import { commaSeparated, idempotencyConfig, parseFailpointsConfig, parseServiceConfig, serviceConfigBase } from './config';
import { IDEMPOTENCY_OPTIONS } from './idempotency/idempotency.store';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { INBOX_RETENTION_OPTIONS, InboxPruner, InboxRetentionModule } from './inbox-retention/inbox-retention.module';
import { EVENT_TOPIC_RETENTION_MS, MIN_INBOX_RETENTION_MS } from '@paystate/contracts';

const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', KAFKA_BROKERS: 'a:9092,b:9092' };

describe('serviceConfigBase', () => {
  it("takes the service's own name (also its consumer group) and port as defaults", () => {
    const schema = serviceConfigBase({ serviceName: 'example-service', port: 3999 });
    expect(parseServiceConfig(schema, 'example-service', env)).toEqual({
      SERVICE_NAME: 'example-service',
      PORT: 3999,
      HOST: '127.0.0.1',
      DATABASE_URL: env.DATABASE_URL,
      DATABASE_POOL_SIZE: 10,
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      KAFKA_GROUP_ID: 'example-service',
      KAFKA_PARTITIONS_CONCURRENTLY: 3,
      LOG_LEVEL: 'info',
      INBOX_RETENTION_MS: 16 * 24 * 3600 * 1000,
      INBOX_PRUNE_INTERVAL_SECONDS: 300,
      DLQ_REDRIVE_INTERVAL_MS: 2000,
      INBOX_PRUNE_BATCH_SIZE: 500,
    });
  });

  it('refuses an inbox retention shorter than the topics can replay (retention.ms + margin, ADR 0018)', () => {
    const schema = serviceConfigBase({ serviceName: 'example-service', port: 3999 });
    const topicRetention = String(EVENT_TOPIC_RETENTION_MS);
    expect(() => parseServiceConfig(schema, 'example-service', { ...env, INBOX_RETENTION_MS: topicRetention })).toThrow(
      /^example-service configuration is invalid:\n {2}INBOX_RETENTION_MS: must be at least 1382400000 \(16 days: the topics' retention\.ms 1209600000 plus the replay margin 172800000, ADR 0018\)$/,
    );
    expect(parseServiceConfig(schema, 'example-service', { ...env, INBOX_RETENTION_MS: String(MIN_INBOX_RETENTION_MS + 1) }).INBOX_RETENTION_MS).toBe(MIN_INBOX_RETENTION_MS + 1);
    expect(() => parseServiceConfig(schema, 'example-service', { ...env, INBOX_PRUNE_BATCH_SIZE: '0' })).toThrow(/INBOX_PRUNE_BATCH_SIZE/);
    expect(parseServiceConfig(schema, 'example-service', { ...env, INBOX_PRUNE_INTERVAL_SECONDS: '0' }).INBOX_PRUNE_INTERVAL_SECONDS).toBe(0);
  });

  it('is extended with the keys of a service (inherited ones stay in its shape)', () => {
    const schema = serviceConfigBase({ serviceName: 'example-service', port: 3999 }).extend({ ...idempotencyConfig, EXTRA: z.string() });
    expect(Object.keys(schema.shape)).toEqual(expect.arrayContaining(['DATABASE_URL', 'KAFKA_GROUP_ID', 'IDEMPOTENCY_TTL_HOURS', 'EXTRA']));
    expect(parseServiceConfig(schema, 'example-service', { ...env, EXTRA: 'x' })).toMatchObject({ EXTRA: 'x', IDEMPOTENCY_TTL_HOURS: 24 });
  });
});

describe('parseServiceConfig', () => {
  const schema = serviceConfigBase({ serviceName: 'example-service', port: 3999 }).extend({ ...idempotencyConfig });

  it('lists every problem on its own line, each naming its key', () => {
    expect(() => parseServiceConfig(schema, 'example-service', { PORT: 'x', IDEMPOTENCY_TTL_HOURS: '1' })).toThrow(
      /^example-service configuration is invalid:\n {2}PORT: .+\n {2}DATABASE_URL: .+\n {2}KAFKA_BROKERS: .+\n {2}IDEMPOTENCY_TTL_HOURS: must be at least 24 \(SPEC §5\)$/,
    );
  });
});

describe('commaSeparated', () => {
  it('trims the items and drops empty ones, but refuses an empty value', () => {
    expect(commaSeparated().parse(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(commaSeparated().safeParse('').success).toBe(false);
  });
});

describe('IdempotencyModule.forConfig', () => {
  it('passes the IDEMPOTENCY_* keys on as the module options', () => {
    const module = IdempotencyModule.forConfig({ IDEMPOTENCY_TTL_HOURS: 48, IDEMPOTENCY_LEASE_SECONDS: 10, IDEMPOTENCY_PURGE_INTERVAL_SECONDS: 0 });
    expect(module.providers).toContainEqual({ provide: IDEMPOTENCY_OPTIONS, useValue: { ttlHours: 48, leaseSeconds: 10, purgeIntervalSeconds: 0 } });
    expect(() => IdempotencyModule.forConfig({ IDEMPOTENCY_TTL_HOURS: 12, IDEMPOTENCY_LEASE_SECONDS: 10, IDEMPOTENCY_PURGE_INTERVAL_SECONDS: 0 })).toThrow(/at least 24 h/);
  });
});

describe('parseFailpointsConfig', () => {
  it('gives the plan of PAYSTATE_FAILPOINTS, empty when unset', () => {
    expect([...parseFailpointsConfig('order-service', { PAYSTATE_FAILPOINTS: 'order.place.after-commit=kill' }).keys()]).toEqual(['order.place.after-commit']);
    expect(parseFailpointsConfig('order-service', {}).size).toBe(0);
  });

  it('refuses a bad spec as a config error naming the point and the problem', () => {
    expect(() => parseFailpointsConfig('order-service', { PAYSTATE_FAILPOINTS: 'order.place.after-comit=kill' })).toThrow(
      /^order-service configuration is invalid:\n {2}PAYSTATE_FAILPOINTS: order\.place\.after-comit: no such failpoint/,
    );
  });
});

describe('InboxRetentionModule.forConfig', () => {
  const schema = serviceConfigBase({ serviceName: 'example-service', port: 3999 });

  it('runs the pruner with the INBOX_* keys', () => {
    const module = InboxRetentionModule.forConfig(parseServiceConfig(schema, 'example-service', { ...env, INBOX_PRUNE_BATCH_SIZE: '50' }));
    expect(module.providers).toContainEqual({ provide: INBOX_RETENTION_OPTIONS, useValue: { retentionMs: MIN_INBOX_RETENTION_MS, intervalSeconds: 300, batchSize: 50 } });
    expect(module.providers).toContain(InboxPruner);
  });

  it('runs none when INBOX_PRUNE_INTERVAL_SECONDS is 0', () => {
    expect(InboxRetentionModule.forConfig(parseServiceConfig(schema, 'example-service', { ...env, INBOX_PRUNE_INTERVAL_SECONDS: '0' })).providers).toBeUndefined();
  });
});
