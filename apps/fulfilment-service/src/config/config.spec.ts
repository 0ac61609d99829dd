import { loadConfig } from './config';

const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/paystate_fulfilment', KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093' };

describe('loadConfig', () => {
  it('needs only DATABASE_URL and KAFKA_BROKERS; everything else has a default', () => {
    expect(loadConfig(env)).toMatchObject({ PORT: 3004, KAFKA_GROUP_ID: 'fulfilment-service', KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.1:9093'] });
  });

  it('names what is wrong', () => {
    expect(() => loadConfig({ KAFKA_BROKERS: 'k:9092' })).toThrow(/DATABASE_URL/);
  });
});
