import { EXIT, OpsError } from './errors';
import { resolveSettings, serviceOf, serviceOfGroup } from './settings';

// what these tests assert comes from the registry or the env, whether or not a test stack runs
const base = { PAYSTATE_PROFILE: 'test' };

describe('resolveSettings', () => {
  it('knows the services, groups and topics of the registry', () => {
    const s = resolveSettings({}, base);
    expect(s.profile).toBe('test');
    expect(s.services['ledger-service']).toMatchObject({ group: 'ledger-service', consumes: ['payment.events', 'fulfilment.events'], connector: 'ledger-outbox' });
    expect(s.services['processor-sim']?.group).toBeUndefined();
  });

  it('lets env and then flags override each part', () => {
    const env = { ...base, KAFKA_BROKERS: 'k1:1,k2:2', PAYSTATE_CONNECT_URL: 'http://c:1/', PAYSTATE_LEDGER_SERVICE_DATABASE_URL: 'postgres://l@h:1/x', PAYSTATE_PAYMENT_SERVICE_API_KEY: 'psk_x' };
    const s = resolveSettings({ brokers: 'flag:9' }, env);
    expect(s.kafkaBrokers).toEqual(['flag:9']);
    expect(s.connectUrl).toBe('http://c:1');
    expect(s.services['ledger-service']?.databaseUrl).toBe('postgres://l@h:1/x');
    expect(s.services['payment-service']?.apiKey).toBe('psk_x');
  });

  it('refuses an unknown profile as a usage error', () => {
    expect(() => resolveSettings({ profile: 'prod' }, base)).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
  });
});

describe('serviceOf / serviceOfGroup', () => {
  const s = resolveSettings({}, base);
  it('finds a service by name or key, and a group by name', () => {
    expect(serviceOf(s, 'ledger').name).toBe('ledger-service');
    expect(serviceOfGroup(s, 'payment-service').name).toBe('payment-service');
  });

  it('names the known ones when it cannot find one', () => {
    const err = (() => {
      try {
        serviceOfGroup(s, 'nope');
      } catch (e) {
        return e as OpsError;
      }
      throw new Error('no error');
    })();
    expect(err.exitCode).toBe(EXIT.usage);
    expect(err.hint).toContain('ledger-service');
  });
});
