import { StackInfo } from '../state';
import { Nemesis } from './nemesis';

const info = (overrides: Partial<StackInfo> = {}): StackInfo => ({
  profile: 'test',
  pg: { host: '127.0.0.1', port: 1, superuserUrl: 'postgres://postgres:postgres@127.0.0.1:1/postgres' },
  kafka: { brokers: ['127.0.0.1:2'] },
  connectUrl: 'http://127.0.0.1:3',
  smtp: { host: '127.0.0.1', port: 4, apiUrl: 'http://127.0.0.1:5' },
  services: {
    'order-service': { port: 6, url: 'http://127.0.0.1:6', env: {}, databaseUrl: '' },
    'processor-sim': { port: 7, url: 'http://127.0.0.1:7', env: {}, databaseUrl: '' },
  },
  runtimeDir: '/nonexistent',
  logsDir: '/nonexistent/logs',
  ...overrides,
});

describe('the nemesis names what it cannot act on', () => {
  it('an unknown target lists the components and the services of the stack', () => {
    expect(() => Nemesis.of(info()).target('zookeeper')).toThrow('unknown nemesis target "zookeeper" (known: connect, kafka, smtp-sink, or a service: order-service, processor-sim)');
  });

  it('an unknown service lists the registry', () => {
    expect(() => Nemesis.of(info()).service('orders')).toThrow(/unknown service "orders" \(known: order-service, payment-service/);
  });

  it('a registered service this checkout does not have is named as such', () => {
    expect(() => Nemesis.of(info()).service('ledger-service')).toThrow('ledger-service is not part of the test stack');
  });

  it('finds components and services by name, services also by key', () => {
    const nemesis = Nemesis.of(info());
    expect(nemesis.target('connect')).toBe(nemesis.connect);
    expect(nemesis.target('kafka')).toBe(nemesis.kafka);
    expect(nemesis.target('smtp-sink')).toBe(nemesis.smtpSink);
    expect(nemesis.target('order').name).toBe('order-service');
  });

  it('fault APIs point at the stack, or where the caller says', () => {
    const nemesis = Nemesis.of(info());
    expect(nemesis.processor().url).toBe('http://127.0.0.1:7');
    expect(nemesis.processor('http://127.0.0.1:9').url).toBe('http://127.0.0.1:9');
    expect(nemesis.smtp.apiUrl).toBe('http://127.0.0.1:5');
    expect(() => nemesis.carrier().url).toThrow('fulfilment-service is not part of the test stack');
    expect(() => Nemesis.of(info({ services: {} })).processor()).toThrow('processor-sim is not part of the test stack');
  });

  it('a stack without an SMTP sink cannot refuse mail', () => {
    expect(() => Nemesis.of(info({ smtp: undefined })).smtp).toThrow(/runs no SMTP sink/);
  });
});
