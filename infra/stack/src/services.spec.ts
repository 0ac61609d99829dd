import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { loadConnectorFile } from './connect';
import { findRepoRoot } from './profile';
import { SCOPES_FILE, SERVICES, ServiceDefinition, apiScopesOf, appExport, devApiKeys, findService, serviceDatabaseStatements, serviceDatabaseUrl, serviceEnv, servicePort, servicePortEnvName, startWaves } from './services';

const repoRoot = findRepoRoot();
const order = findService('order-service');

describe('service registry', () => {
  it('has unique names, keys, databases, roles and ports per profile', () => {
    for (const field of ['name', 'key', 'database', 'role'] as const) {
      const values = SERVICES.map((s) => s[field]);
      expect(new Set(values).size).toBe(values.length);
    }
    for (const profile of ['dev', 'test'] as const) {
      const ports = SERVICES.map((s) => s.ports[profile]);
      expect(new Set(ports).size).toBe(ports.length);
    }
  });

  it('derives the port variable from the service name', () => {
    expect(servicePortEnvName('order-service')).toBe('PAYSTATE_ORDER_SERVICE_PORT');
    expect(servicePortEnvName('processor-sim')).toBe('PAYSTATE_PROCESSOR_SIM_PORT');
    expect(servicePort(order, 'dev', {})).toBe(3001);
    expect(servicePort(order, 'test', {})).toBe(13001);
    expect(servicePort(order, 'test', { PAYSTATE_ORDER_SERVICE_PORT: '4000' })).toBe(4000);
  });

  it('builds the runtime env of a service per profile', () => {
    const ctx = { pgPort: 55439, kafkaPort: 19092, servicePorts: { 'order-service': 13001 } };
    expect(serviceEnv(order, { ...ctx, profile: 'test' })).toEqual({
      PORT: '13001',
      DATABASE_URL: 'postgres://paystate_order:paystate_order@127.0.0.1:55439/paystate_order',
      KAFKA_BROKERS: '127.0.0.1:19092',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      SERVICE_NAME: 'order-service',
    });
    expect(serviceEnv(order, { ...ctx, profile: 'dev' }).NODE_ENV).toBe('production');
  });

  it('lets a definition add env without dropping the common keys', () => {
    const def: ServiceDefinition = { ...order, name: 'x', extraEnv: (c) => ({ ORDER_URL: `http://127.0.0.1:${c.servicePorts['order-service']}` }) };
    const env = serviceEnv(def, { profile: 'dev', pgPort: 1, kafkaPort: 2, servicePorts: { 'order-service': 3001, x: 9 } });
    expect(env).toMatchObject({ PORT: '9', ORDER_URL: 'http://127.0.0.1:3001', SERVICE_NAME: 'x' });
  });

  it('wires payment-service and processor-sim to each other: the API key, the webhook URL and the signing secret', () => {
    const payment = findService('payment-service');
    const processor = findService('processor-sim');
    for (const profile of ['dev', 'test'] as const) {
      const servicePorts = { 'payment-service': payment.ports[profile], 'processor-sim': processor.ports[profile] };
      const ctx = { profile, pgPort: 1, kafkaPort: 2, servicePorts };
      const paymentEnv = serviceEnv(payment, ctx);
      const processorEnv = serviceEnv(processor, ctx);
      expect(paymentEnv['PROCESSOR_URL']).toBe(`http://127.0.0.1:${processor.ports[profile]}`);
      expect(processorEnv['PROCESSOR_WEBHOOK_URL']).toBe(`http://127.0.0.1:${payment.ports[profile]}/webhooks/processor`);
      expect(paymentEnv['PROCESSOR_API_KEY']).toBe(processorEnv['PROCESSOR_API_KEY']);
      expect(paymentEnv['PROCESSOR_WEBHOOK_SECRETS']).toBe(processorEnv['PROCESSOR_WEBHOOK_SECRETS']);
      expect(processorEnv).toMatchObject({ PROCESSOR_ADMIN_ENABLED: 'true', DATABASE_URL: expect.stringContaining('/paystate_processor') });
    }
    expect(processor.ports).toEqual({ dev: 3010, test: 13010 });
    expect(processor.connector).toBeUndefined();
  });

  it('starts processor-sim before payment-service, and the rest together', () => {
    const names = (defs: readonly ServiceDefinition[]) => startWaves(defs).map((wave) => wave.map((d) => d.name));
    expect(names(SERVICES).findIndex((w) => w.includes('processor-sim'))).toBeLessThan(names(SERVICES).findIndex((w) => w.includes('payment-service')));
    expect(names([findService('order-service'), findService('payment-service')])).toEqual([['order-service', 'payment-service']]);
    const a: ServiceDefinition = { ...order, name: 'a', startsAfter: ['b'] };
    const b: ServiceDefinition = { ...order, name: 'b', startsAfter: ['a'] };
    expect(() => startWaves([a, b])).toThrow(/cycle/);
  });

  it('percent-encodes credentials in DATABASE_URL', () => {
    expect(serviceDatabaseUrl({ ...order, password: 'p@ss:w/rd' }, 1)).toBe('postgres://paystate_order:p%40ss%3Aw%2Frd@127.0.0.1:1/paystate_order');
  });

  it("has, for every connector, a file capturing that service's database with its own slot and publication", () => {
    const slots = new Set<string>();
    for (const def of SERVICES.filter((s) => s.connector)) {
      const config = loadConnectorFile(path.join(repoRoot, 'infra', 'kafka', 'connectors'), def.connector ?? '');
      expect(config['database.dbname']).toBe(def.database);
      expect(config['topic.prefix']).toBe(`paystate.${def.key}`);
      expect(config['slot.name']).toBe(`${def.database}_outbox`);
      expect(config['publication.name']).toBe(`${def.database}_outbox`);
      // docker compose values in the file; the native runner overrides them at registration
      expect(config['database.hostname']).toBe('postgres');
      expect(config['transforms.outbox.route.topic.replacement']).toBe('${routedByValue}.events');
      slots.add(config['slot.name'] ?? '');
    }
    expect(slots.size).toBe(SERVICES.filter((s) => s.connector).length);
  });

  it("gives the dev stack one operator key per service with an API, with every scope the app's scopes.ts exports", () => {
    expect(devApiKeys(repoRoot)).toEqual([
      { service: 'order-service', scopes: ['orders:write', 'orders:read', 'sagas:operate'] },
      { service: 'payment-service', scopes: ['payments:read', 'payments:refund', 'payments:resolve', 'sagas:operate'] },
      { service: 'ledger-service', scopes: ['ledger:read'] },
      { service: 'fulfilment-service', scopes: ['stock:read', 'stock:write', 'shipments:read'] },
      { service: 'notification-service', scopes: ['notifications:read'] },
    ]);
    // the tooling loads these files: they must stay free of imports (no Nest pulled in)
    for (const def of SERVICES.filter((s) => s.apiScopes)) expect(readFileSync(path.join(repoRoot, 'apps', def.name, SCOPES_FILE), 'utf8')).not.toMatch(/^\s*(import|export .* from)\b/m);
    // processor-sim has its own single key, not paystate's API keys
    expect(apiScopesOf(findService('processor-sim'), repoRoot)).toEqual([]);
    expect(() => apiScopesOf({ ...order, apiScopes: 'NO_SUCH_EXPORT' }, repoRoot)).toThrow(/does not export NO_SUCH_EXPORT as a list of scopes/);
    expect(() => apiScopesOf({ ...order, name: 'no-such-service' }, repoRoot)).toThrow(/scopes\.ts is missing/);
  });

  it("sets, for every service, each env var its app's configSchema requires (no default)", () => {
    const ctx = { pgPort: 55439, kafkaPort: 19092, servicePorts: {} };
    for (const def of SERVICES) {
      const schema = appExport(repoRoot, def.name, path.join('src', 'config', 'config.ts'), 'configSchema');
      if (!(schema instanceof z.ZodObject)) throw new Error(`${def.name}: config.ts exports no configSchema`);
      const required = Object.entries(schema.shape as Record<string, z.ZodType>).filter(([, field]) => !field.safeParse(undefined).success).map(([key]) => key);
      const env = serviceEnv(def, { ...ctx, profile: 'test' });
      expect([def.name, required.filter((key) => !(key in env))]).toEqual([def.name, []]);
      // and the app accepts what the registry gives it
      expect([def.name, schema.safeParse(env).error?.issues]).toEqual([def.name, undefined]);
    }
  });

  it('keeps infra/postgres/init (docker compose) in step with the registry', () => {
    const sql = readFileSync(path.join(repoRoot, 'infra', 'postgres', 'init', '01-databases.sql'), 'utf8');
    for (const def of SERVICES) {
      for (const statement of Object.values(serviceDatabaseStatements(def))) expect(sql).toContain(statement);
    }
    const roles = [...sql.matchAll(/CREATE ROLE (\w+)/g)].map((m) => m[1]);
    expect(roles.sort()).toEqual(SERVICES.map((s) => s.role).sort());
  });
});
