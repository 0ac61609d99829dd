import { loadConfig } from './config';

const required = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', KAFKA_BROKERS: 'a:1, b:2', SMTP_HOST: '127.0.0.1', SMTP_PORT: '1025' };

describe('notification-service config', () => {
  it('needs only the database, Kafka and the SMTP server; the rest has defaults', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({ PORT: 3005, KAFKA_BROKERS: ['a:1', 'b:2'], SMTP_PORT: 1025, KAFKA_GROUP_ID: 'notification-service', MAIL_MESSAGE_ID_DOMAIN: 'notifications.paystate.local' });
  });

  it('names every missing variable', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL[\s\S]*KAFKA_BROKERS[\s\S]*SMTP_HOST[\s\S]*SMTP_PORT/);
  });

  it('refuses a lease shorter than two SMTP timeouts (another instance would send the same mail)', () => {
    expect(() => loadConfig({ ...required, SMTP_TIMEOUT_MS: '10000', NOTIFICATION_LEASE_MS: '15000' })).toThrow(/NOTIFICATION_LEASE_MS/);
  });
});
