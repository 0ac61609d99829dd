import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { ProfileName, SERVICES, ServiceDefinition, findService, infraPorts, readStackState, resolveProfile, serviceDatabaseUrl, servicePort } from '@paystate/stack';
import { usageError } from './errors';

/** Where the stack ops acts on lives. */
export interface OpsSettings {
  profile: ProfileName;
  /** Where the settings came from, for `ops env` and error messages. */
  source: 'native stack state' | 'profile defaults';
  kafkaBrokers: string[];
  connectUrl: string;
  /** A PostgreSQL superuser URL (any database; ops switches): replication slots, publications, restores, the audit table. */
  pgSuperuserUrl: string;
  services: Record<string, ServiceSettings>;
  /** The native stack's runtime directory, when ops runs beside it (dev API keys live there). */
  runtimeDir?: string;
}

export interface ServiceSettings {
  name: string;
  url: string;
  databaseUrl: string;
  database: string;
  /** Its consumer group (named after the service) and the topics the group reads. */
  group?: string;
  consumes: readonly string[];
  connector?: string;
  /** An API key for the service's operator endpoints, when one is known. */
  apiKey?: string;
}

export interface SettingsFlags {
  profile?: string;
  brokers?: string;
  connectUrl?: string;
  pgUrl?: string;
}

type Env = Record<string, string | undefined>;

/** `ledger-service` → `LEDGER_SERVICE`, for the per-service env names. */
export const envStem = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * The same settings the services use: the native stack's state.json when it runs (so `ops` needs
 * no flags beside `npm start`), otherwise the profile's defaults, which are docker compose's ports
 * for `dev`. Env and flags override each part:
 *   KAFKA_BROKERS / --brokers, PAYSTATE_CONNECT_URL / --connect-url, PAYSTATE_PG_SUPERUSER_URL / --pg-url,
 *   PAYSTATE_<SERVICE>_URL, PAYSTATE_<SERVICE>_DATABASE_URL, PAYSTATE_<SERVICE>_API_KEY.
 */
export function resolveSettings(flags: SettingsFlags, env: Env = process.env): OpsSettings {
  let profile: ProfileName;
  try {
    profile = resolveProfile(flags.profile, env);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const state = readStackState(profile);
  const info = state?.info;
  const ports = infraPorts(profile, env);
  const pgPort = info?.pg.port ?? ports.pg;
  const services: Record<string, ServiceSettings> = {};
  for (const def of SERVICES) {
    const known = info?.services[def.name];
    const stem = envStem(def.name);
    const url = env[`PAYSTATE_${stem}_URL`] ?? known?.url ?? `http://127.0.0.1:${servicePort(def, profile, env)}`;
    const databaseUrl = env[`PAYSTATE_${stem}_DATABASE_URL`] ?? known?.databaseUrl ?? serviceDatabaseUrl(def, pgPort);
    const apiKey = env[`PAYSTATE_${stem}_API_KEY`] ?? devApiKey(info?.runtimeDir, def);
    services[def.name] = {
      name: def.name,
      url,
      databaseUrl,
      database: def.database,
      consumes: def.consumes ?? [],
      ...(def.consumes ? { group: def.name } : {}),
      ...(def.connector ? { connector: def.connector } : {}),
      ...(apiKey ? { apiKey } : {}),
    };
  }
  return {
    profile,
    source: info ? 'native stack state' : 'profile defaults',
    kafkaBrokers: (flags.brokers ?? env['KAFKA_BROKERS'] ?? info?.kafka.brokers.join(',') ?? `127.0.0.1:${ports.kafka}`).split(',').map((b) => b.trim()).filter(Boolean),
    connectUrl: (flags.connectUrl ?? env['PAYSTATE_CONNECT_URL'] ?? info?.connectUrl ?? `http://127.0.0.1:${ports.connect}`).replace(/\/$/, ''),
    pgSuperuserUrl: flags.pgUrl ?? env['PAYSTATE_PG_SUPERUSER_URL'] ?? info?.pg.superuserUrl ?? `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
    services,
    ...(info ? { runtimeDir: info.runtimeDir } : {}),
  };
}

/** The dev stack writes an operator key per service into its runtime dir (infra/stack/src/start.ts). */
function devApiKey(runtimeDir: string | undefined, def: ServiceDefinition): string | undefined {
  if (!runtimeDir) return undefined;
  const file = path.join(runtimeDir, `${def.name}-dev-api-key`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/** A service by name or short key (`ledger` or `ledger-service`), or a usage error listing the known ones. */
export function serviceOf(settings: OpsSettings, name: string): ServiceSettings {
  let def: ServiceDefinition;
  try {
    def = findService(name);
  } catch {
    throw usageError(`unknown service "${name}"`, `one of: ${SERVICES.map((s) => s.name).join(', ')}`);
  }
  return settings.services[def.name]!;
}

/** The service whose consumer group this is, or a usage error listing the known groups. */
export function serviceOfGroup(settings: OpsSettings, group: string): ServiceSettings {
  const svc = Object.values(settings.services).find((s) => s.group === group);
  if (!svc) throw usageError(`unknown consumer group "${group}"`, `one of: ${Object.values(settings.services).flatMap((s) => (s.group ? [s.group] : [])).join(', ')}`);
  return svc;
}
