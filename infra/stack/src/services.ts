// The service registry: the single source of truth for which services exist, what database and
// role each owns, which Debezium connector captures its outbox, and how it is run. The native
// runner, the test harness and infra/postgres/init/*.sql (checked by services.spec.ts) follow it.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Env, HOST, ProfileName, StackError, portFromEnv, smtpSinkPorts } from './profile';

export interface ServiceDefinition {
  /** Nx project and directory name under apps/. */
  name: string;
  /** Short name, also the outbox `aggregatetype` and topic stem (`<key>.events`). */
  key: string;
  database: string;
  role: string;
  password: string;
  /** Debezium connector name = infra/kafka/connectors/<connector>.json. Absent: no outbox to capture. */
  connector?: string;
  ports: Record<ProfileName, number>;
  /** Extra env for this service (e.g. another service's URL); merged over the common env. */
  extraEnv?: (ctx: ServiceEnvContext) => Record<string, string>;
  /** Services (by name) that must be healthy before this one starts, when both are being started. */
  startsAfter?: string[];
  /**
   * The export of the app's `src/infrastructure/http/scopes.ts` that lists every scope its API keys
   * may carry (the dev stack's operator key gets them all). Absent: the service has no API keys.
   */
  apiScopes?: string;
  /**
   * The topics its consumer group (named after the service) reads: what `ops lag`, `ops replay` and
   * `ops recover` act on. Checked against the handlers each app registers (ops topology spec).
   */
  consumes?: readonly string[];
}

export interface ServiceEnvContext {
  profile: ProfileName;
  pgPort: number;
  kafkaPort: number;
  /** Resolved ports of every registered service, by name. */
  servicePorts: Record<string, number>;
}

// The processor simulator's test credentials, shared by both ends (the API key payment-service
// calls with, the secret processor-sim signs webhooks with and payment-service verifies).
const PROCESSOR_API_KEY = 'sk_test_paystate';
const PROCESSOR_WEBHOOK_SECRETS = 'whsec_paystate_current';

/** A service's port in this context: resolved if it is present, else its registry default. */
function portIn(ctx: ServiceEnvContext, name: string): number {
  return ctx.servicePorts[name] ?? findService(name).ports[ctx.profile];
}

export const SERVICES: readonly ServiceDefinition[] = [
  {
    name: 'order-service',
    key: 'order',
    database: 'paystate_order',
    role: 'paystate_order',
    password: 'paystate_order',
    connector: 'order-outbox',
    apiScopes: 'KNOWN_ORDER_SCOPES',
    consumes: ['payment.events', 'fulfilment.events', 'ledger.events', 'notification.events'],
    ports: { dev: 3001, test: 13001 },
  },
  {
    name: 'payment-service',
    key: 'payment',
    database: 'paystate_payment',
    role: 'paystate_payment',
    password: 'paystate_payment',
    connector: 'payment-outbox',
    apiScopes: 'KNOWN_PAYMENT_SCOPES',
    consumes: ['order.events', 'fulfilment.events'],
    ports: { dev: 3002, test: 13002 },
    // it calls the processor from its first request on
    startsAfter: ['processor-sim'],
    extraEnv: (ctx) => ({
      PROCESSOR_URL: `http://${HOST}:${portIn(ctx, 'processor-sim')}`,
      PROCESSOR_API_KEY,
      PROCESSOR_WEBHOOK_SECRETS,
    }),
  },
  {
    name: 'ledger-service',
    key: 'ledger',
    database: 'paystate_ledger',
    role: 'paystate_ledger',
    password: 'paystate_ledger',
    connector: 'ledger-outbox',
    apiScopes: 'KNOWN_LEDGER_SCOPES',
    consumes: ['payment.events', 'fulfilment.events'],
    ports: { dev: 3003, test: 13003 },
  },
  {
    name: 'fulfilment-service',
    key: 'fulfilment',
    database: 'paystate_fulfilment',
    role: 'paystate_fulfilment',
    password: 'paystate_fulfilment',
    connector: 'fulfilment-outbox',
    apiScopes: 'KNOWN_FULFILMENT_SCOPES',
    consumes: ['order.events', 'payment.events'],
    ports: { dev: 3004, test: 13004 },
  },
  {
    name: 'notification-service',
    key: 'notification',
    database: 'paystate_notification',
    role: 'paystate_notification',
    password: 'paystate_notification',
    connector: 'notification-outbox',
    apiScopes: 'KNOWN_NOTIFICATION_SCOPES',
    consumes: ['order.events', 'payment.events'],
    ports: { dev: 3005, test: 13005 },
    // the stack's SMTP sink (smtp-sink/launch.ts); Mailpit in docker compose
    extraEnv: (ctx) => ({ SMTP_HOST: HOST, SMTP_PORT: String(smtpSinkPorts(ctx.profile).smtp), MAIL_FROM: 'paystate <orders@paystate.local>' }),
  },
  {
    // external to our system: no outbox, so no connector
    name: 'processor-sim',
    key: 'processor',
    database: 'paystate_processor',
    role: 'paystate_processor',
    password: 'paystate_processor',
    ports: { dev: 3010, test: 13010 },
    extraEnv: (ctx) => ({
      PROCESSOR_API_KEY,
      PROCESSOR_WEBHOOK_URL: `http://${HOST}:${portIn(ctx, 'payment-service')}/webhooks/processor`,
      PROCESSOR_WEBHOOK_SECRETS,
      PROCESSOR_ADMIN_ENABLED: 'true',
    }),
  },
];

export function findService(name: string, registry: readonly ServiceDefinition[] = SERVICES): ServiceDefinition {
  const def = registry.find((s) => s.name === name || s.key === name);
  if (!def) {
    throw new StackError(`unknown service "${name}" (known: ${registry.map((s) => s.name).join(', ')})`);
  }
  return def;
}

/**
 * The order to start `defs` in: waves whose members start together, each wave after every service
 * it `startsAfter` (among `defs`) is up. A dependency that is not being started is ignored.
 */
export function startWaves(defs: readonly ServiceDefinition[]): ServiceDefinition[][] {
  const names = new Set(defs.map((d) => d.name));
  const started = new Set<string>();
  const waves: ServiceDefinition[][] = [];
  let left = [...defs];
  while (left.length > 0) {
    const wave = left.filter((d) => (d.startsAfter ?? []).every((dep) => !names.has(dep) || started.has(dep)));
    if (wave.length === 0) throw new StackError(`services wait for each other in a cycle: ${left.map((d) => d.name).join(', ')}`);
    waves.push(wave);
    for (const d of wave) started.add(d.name);
    left = left.filter((d) => !wave.includes(d));
  }
  return waves;
}

/** `order-service` → `PAYSTATE_ORDER_SERVICE_PORT`. */
export function servicePortEnvName(name: string): string {
  return `PAYSTATE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
}

export function servicePort(def: ServiceDefinition, profile: ProfileName, env: Env = process.env): number {
  return portFromEnv(env, servicePortEnvName(def.name), def.ports[profile]);
}

export function serviceDatabaseUrl(def: ServiceDefinition, pgPort: number): string {
  return `postgres://${encodeURIComponent(def.role)}:${encodeURIComponent(def.password)}@${HOST}:${pgPort}/${def.database}`;
}

/** The runtime environment of one service; migrations get exactly the same. */
export function serviceEnv(def: ServiceDefinition, ctx: ServiceEnvContext): Record<string, string> {
  const port = ctx.servicePorts[def.name] ?? def.ports[ctx.profile];
  return {
    PORT: String(port),
    DATABASE_URL: serviceDatabaseUrl(def, ctx.pgPort),
    KAFKA_BROKERS: `${HOST}:${ctx.kafkaPort}`,
    LOG_LEVEL: 'info',
    NODE_ENV: ctx.profile === 'test' ? 'test' : 'production',
    SERVICE_NAME: def.name,
    ...(def.extraEnv ? def.extraEnv(ctx) : {}),
  };
}

/** Where an app exports its API scopes: a file with no imports, so reading it loads no Nest. */
export const SCOPES_FILE = path.join('src', 'infrastructure', 'http', 'scopes.ts');

/**
 * One export of a file of an app's sources (`apps/<app>/<file>`), loaded from its TypeScript source
 * (tsx and jest both load .ts). The path is found at run time on purpose: a static import would
 * make this tooling depend on every app, whose own tests depend on it (a project cycle). Only
 * files that load no framework are read this way (scopes.ts, config/config.ts).
 */
export function appExport(repoRoot: string, app: string, file: string, name: string): unknown {
  const full = path.join(repoRoot, 'apps', app, file);
  if (!existsSync(full)) throw new StackError(`${app}: ${path.relative(repoRoot, full)} is missing (the registry reads its ${name})`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a computed path, see above
  const exports: unknown = require(full);
  return typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>)[name] : undefined;
}

/** The scopes a service's API keys may carry, read from the app's own export (see `apiScopes`). */
export function apiScopesOf(def: ServiceDefinition, repoRoot: string): readonly string[] {
  if (!def.apiScopes) return [];
  const scopes = appExport(repoRoot, def.name, SCOPES_FILE, def.apiScopes);
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s): s is string => typeof s === 'string')) {
    throw new StackError(`${def.name}: ${SCOPES_FILE} does not export ${def.apiScopes} as a list of scopes`);
  }
  return scopes;
}

/**
 * The dev stack's operator keys: one per service with an API (whose app is present in this
 * checkout), with every scope it knows.
 */
export function devApiKeys(repoRoot: string, registry: readonly ServiceDefinition[] = SERVICES): { service: string; scopes: readonly string[] }[] {
  return presentServices(repoRoot, registry)
    .present.filter((def) => def.apiScopes !== undefined)
    .map((def) => ({ service: def.name, scopes: apiScopesOf(def, repoRoot) }));
}

/** Entry points produced by `npm run build`, relative to the repo root. */
export function serviceEntries(def: ServiceDefinition): { migrate: string; main: string } {
  const dist = path.join('apps', def.name, 'dist', 'src');
  return { migrate: path.join(dist, 'migrate.js'), main: path.join(dist, 'main.js') };
}

/**
 * Services of the registry that exist in this checkout. A registered service whose apps/<name>
 * directory is absent has simply not been written yet (the registry runs ahead of the code);
 * it is skipped with a notice rather than failing the whole stack.
 */
export function presentServices(
  repoRoot: string,
  registry: readonly ServiceDefinition[] = SERVICES,
): { present: ServiceDefinition[]; absent: ServiceDefinition[] } {
  const present: ServiceDefinition[] = [];
  const absent: ServiceDefinition[] = [];
  for (const def of registry) (existsSync(path.join(repoRoot, 'apps', def.name)) ? present : absent).push(def);
  return { present, absent };
}

/** Fails with the fix in the message when a build output is missing. */
export function assertBuilt(repoRoot: string, def: ServiceDefinition, entry: 'migrate' | 'main'): string {
  const rel = serviceEntries(def)[entry];
  if (!existsSync(path.join(repoRoot, rel))) {
    throw new StackError(`${def.name}: ${rel} is missing; run \`npm run build\` first`);
  }
  return rel;
}

/**
 * SQL that gives a service its role and database. Used verbatim (one statement each) by the
 * native runner and by infra/postgres/init/01-databases.sql for docker compose.
 * REVOKE CONNECT FROM PUBLIC: only the owner (and superusers, e.g. Debezium's `postgres`) can connect.
 */
export function serviceDatabaseStatements(def: ServiceDefinition): { createRole: string; createDatabase: string; revokeConnect: string } {
  return {
    createRole: `CREATE ROLE ${def.role} LOGIN PASSWORD '${def.password.replace(/'/g, "''")}';`,
    createDatabase: `CREATE DATABASE ${def.database} OWNER ${def.role} ENCODING 'UTF8';`,
    revokeConnect: `REVOKE CONNECT ON DATABASE ${def.database} FROM PUBLIC;`,
  };
}

/** Shared databases no service role may connect to (superusers still can). */
export const LOCKED_SHARED_DATABASES = ['postgres', 'template1'] as const;

/**
 * Node's arguments for a service. The test profile loads the armed failpoints build
 * (libs/failpoints, export condition `paystate-failpoints`), so tests can arm PAYSTATE_FAILPOINTS;
 * the dev profile, like the Docker image, loads the inert one.
 */
export function serviceNodeArgs(profile: ProfileName, main: string): string[] {
  return profile === 'test' ? ['--conditions=paystate-failpoints', main] : [main];
}
