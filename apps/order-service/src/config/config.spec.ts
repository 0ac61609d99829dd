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

describe('the saga monitor’s SLAs', () => {
  it('default to minutes for the payment steps and hours for the shipment, and take tiny values from env (tests)', () => {
    expect(loadConfig(env)).toMatchObject({ SAGA_SLA_PENDING_MS: 900_000, SAGA_SLA_CONFIRMED_MS: 14_400_000, SAGA_SLA_ESCALATION: 4, SAGA_MONITOR_INTERVAL_MS: 30_000 });
    expect(loadConfig({ ...env, SAGA_SLA_CONFIRMED_MS: '1500' }).SAGA_SLA_CONFIRMED_MS).toBe(1500);
  });

  it('refuses an SLA that is not a positive integer, and an escalation that is not above 1', () => {
    expect(() => loadConfig({ ...env, SAGA_SLA_REVIEW_MS: '0' })).toThrow(/SAGA_SLA_REVIEW_MS/);
    expect(() => loadConfig({ ...env, SAGA_SLA_ESCALATION: '1' })).toThrow(/SAGA_SLA_ESCALATION/);
  });
});
