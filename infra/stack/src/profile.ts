// Profiles decide ports and where a stack keeps its state. `dev` and `test` use disjoint ports
// and runtime directories so a developer's stack and `npm test` can run side by side.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROFILES = ['dev', 'test'] as const;
export type ProfileName = (typeof PROFILES)[number];

export type Env = Record<string, string | undefined>;

/** Everything binds to loopback: the stack is a developer/CI tool, never a server. */
export const HOST = '127.0.0.1';

export interface InfraPorts {
  pg: number;
  kafka: number;
  kafkaController: number;
  connect: number;
}

const DEFAULT_PORTS: Record<ProfileName, InfraPorts> = {
  dev: { pg: 54329, kafka: 9092, kafkaController: 9093, connect: 8083 },
  test: { pg: 55439, kafka: 19092, kafkaController: 19093, connect: 18083 },
};

/** Env variable that overrides each infra port. */
export const INFRA_PORT_ENV: Record<keyof InfraPorts, string> = {
  pg: 'PAYSTATE_PG_PORT',
  kafka: 'PAYSTATE_KAFKA_PORT',
  kafkaController: 'PAYSTATE_KAFKA_CONTROLLER_PORT',
  connect: 'PAYSTATE_CONNECT_PORT',
};

/** The SMTP sink (SPEC §10 "a local SMTP sink"): SMTP and its Mailpit-compatible HTTP API. */
export interface SmtpSinkPorts {
  smtp: number;
  api: number;
}

const DEFAULT_SMTP_SINK_PORTS: Record<ProfileName, SmtpSinkPorts> = {
  dev: { smtp: 1025, api: 8025 },
  test: { smtp: 11025, api: 18025 },
};

export const SMTP_SINK_PORT_ENV: Record<keyof SmtpSinkPorts, string> = {
  smtp: 'PAYSTATE_SMTP_PORT',
  api: 'PAYSTATE_SMTP_API_PORT',
};

export function smtpSinkPorts(profile: ProfileName, env: Env = process.env): SmtpSinkPorts {
  const defaults = DEFAULT_SMTP_SINK_PORTS[profile];
  return { smtp: portFromEnv(env, SMTP_SINK_PORT_ENV.smtp, defaults.smtp), api: portFromEnv(env, SMTP_SINK_PORT_ENV.api, defaults.api) };
}

export function isProfileName(value: string): value is ProfileName {
  return (PROFILES as readonly string[]).includes(value);
}

/** Explicit flag wins, then PAYSTATE_PROFILE, then `dev`. */
export function resolveProfile(explicit?: string, env: Env = process.env): ProfileName {
  const candidate = explicit ?? env.PAYSTATE_PROFILE ?? 'dev';
  if (!isProfileName(candidate)) {
    throw new StackError(`unknown profile "${candidate}" (expected one of: ${PROFILES.join(', ')})`);
  }
  return candidate;
}

/** Reads a port from `env[name]`, validating it, or returns the fallback. */
export function portFromEnv(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackError(`${name}=${raw} is not a valid TCP port`);
  }
  return port;
}

export function infraPorts(profile: ProfileName, env: Env = process.env): InfraPorts {
  const defaults = DEFAULT_PORTS[profile];
  return {
    pg: portFromEnv(env, INFRA_PORT_ENV.pg, defaults.pg),
    kafka: portFromEnv(env, INFRA_PORT_ENV.kafka, defaults.kafka),
    kafkaController: portFromEnv(env, INFRA_PORT_ENV.kafkaController, defaults.kafkaController),
    connect: portFromEnv(env, INFRA_PORT_ENV.connect, defaults.connect),
  };
}

/** Partitions of the domain topics (PAYSTATE_TOPIC_PARTITIONS, default 3). */
export function topicPartitions(env: Env = process.env): number {
  const raw = env.PAYSTATE_TOPIC_PARTITIONS;
  if (raw === undefined || raw.trim() === '') return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new StackError(`PAYSTATE_TOPIC_PARTITIONS=${raw} must be a positive integer`);
  return n;
}

export interface StackPaths {
  repoRoot: string;
  /** `.local/<profile>`: everything of one running stack except the jar cache. */
  runtimeDir: string;
  logsDir: string;
  stateFile: string;
  kafkaDir: string;
  kafkaDataDir: string;
  connectDir: string;
  /** In-repo PostgreSQL root (data + socket); may be replaced by `pgFallbackRoot`, see postgres.ts. */
  pgRoot: string;
  /** Per-repo, per-profile directory under os.tmpdir() for when the postgres user cannot reach pgRoot. */
  pgFallbackRoot: string;
  /** Shared by all profiles: jars resolved by Maven. */
  cacheDir: string;
  libsDir: string;
  pluginsDir: string;
  debeziumPluginDir: string;
  pomFile: string;
  kafkaLog4j: string;
  connectLog4j: string;
  connectorsDir: string;
}

export function stackPaths(profile: ProfileName, repoRoot: string = findRepoRoot()): StackPaths {
  const runtimeDir = path.join(repoRoot, '.local', profile);
  const cacheDir = path.join(repoRoot, '.local', 'cache', 'cdc');
  const pluginsDir = path.join(cacheDir, 'plugins');
  // Short hash of the repo path: two clones on one machine never share a tmp cluster.
  const repoHash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 10);
  return {
    repoRoot,
    runtimeDir,
    logsDir: path.join(runtimeDir, 'logs'),
    stateFile: path.join(runtimeDir, 'state.json'),
    kafkaDir: path.join(runtimeDir, 'kafka'),
    kafkaDataDir: path.join(runtimeDir, 'kafka', 'data'),
    connectDir: path.join(runtimeDir, 'connect'),
    pgRoot: path.join(runtimeDir, 'pg'),
    pgFallbackRoot: path.join(os.tmpdir(), `paystate-${repoHash}-${profile}`, 'pg'),
    cacheDir,
    libsDir: path.join(cacheDir, 'libs'),
    pluginsDir,
    debeziumPluginDir: path.join(pluginsDir, 'debezium-connector-postgres'),
    pomFile: path.join(repoRoot, 'infra', 'kafka', 'pom.xml'),
    kafkaLog4j: path.join(repoRoot, 'infra', 'kafka', 'log4j.properties'),
    connectLog4j: path.join(repoRoot, 'infra', 'kafka', 'connect-log4j.properties'),
    connectorsDir: path.join(repoRoot, 'infra', 'kafka', 'connectors'),
  };
}

/** The monorepo root: the nearest ancestor holding both package.json and infra/kafka/pom.xml. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'infra', 'kafka', 'pom.xml')) && existsSync(path.join(dir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown };
      if (pkg.workspaces !== undefined) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new StackError(`cannot find the paystate repository root above ${start}`);
    dir = parent;
  }
}

/** An expected failure: the CLI prints its message on one line and exits 1, without a stack trace. */
export class StackError extends Error {
  constructor(message: string, readonly details?: string) {
    super(message);
    this.name = 'StackError';
  }
}

/** Where a component (postgres, kafka, connect, <service>, migrate-<service>, …) writes its output. */
export function logFileOf(paths: StackPaths, component: string): string {
  return path.join(paths.logsDir, `${component}.log`);
}
