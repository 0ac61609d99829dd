import { loadConfig } from './config';

const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/paystate_order', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('loadConfig', () => {
  it('keeps idempotency keys 24 h, leases them 30 s and purges every 5 min by default', () => {
    expect(loadConfig(env)).toMatchObject({ IDEMPOTENCY_TTL_HOURS: 24, IDEMPOTENCY_LEASE_SECONDS: 30, IDEMPOTENCY_PURGE_INTERVAL_SECONDS: 300 });
  });

  it('refuses to keep idempotency keys less than 24 h (SPEC §5)', () => {
    expect(() => loadConfig({ ...env, IDEMPOTENCY_TTL_HOURS: '12' })).toThrow(/IDEMPOTENCY_TTL_HOURS: must be at least 24/);
    expect(loadConfig({ ...env, IDEMPOTENCY_TTL_HOURS: '72' }).IDEMPOTENCY_TTL_HOURS).toBe(72);
  });
});
