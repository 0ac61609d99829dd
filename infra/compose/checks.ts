// Structural checks of docker-compose.yml against the repository. There is no Docker engine in CI,
// so what can be checked without one is checked here: every check returns the problems it found
// (empty = fine), so a test can also prove that a broken file is caught.
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type ComposeFile, type ComposeService, appOf, commandText, dependsOnOf, environmentOf } from './compose-model';
import { type AppEnvVar, type ConnectorFile, REPO_ROOT, appEnvVars, listApps } from './repo-facts';

/** SPEC §10: what `docker compose up` must bring up (the rest join as their apps are written). */
export const REQUIRED_SERVICES = ['postgres', 'kafka', 'connect', 'register-connectors', 'order-service', 'payment-service', 'kafka-ui', 'mailpit'] as const;

const DEPENDS_ON_CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

export function missingServices(compose: ComposeFile, required: readonly string[] = REQUIRED_SERVICES): string[] {
  return required.filter((name) => !compose.services[name]).map((name) => `service "${name}" is missing (SPEC §10)`);
}

/**
 * Every service runs a pinned image: a digest, or a tag naming at least major.minor (`postgres:15`
 * floats over minors, `latest` over everything); or the image built here (see appImageProblems).
 */
export function unpinnedImages(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const built = new Set(Object.values(compose.services).filter((s) => s.build && s.image).map((s) => s.image));
  for (const [name, service] of Object.entries(compose.services)) {
    if (!service.image) {
      if (!service.build) problems.push(`${name}: has neither image nor build`);
      continue;
    }
    const image = service.image;
    if (image.includes('@sha256:') || built.has(image)) continue;
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
    if (!tag) problems.push(`${name}: image ${image} has no tag (pin a version)`);
    else if (tag === 'latest' || tag === 'main' || tag === 'master') problems.push(`${name}: image ${image} is not pinned`);
    else if (image.includes('$')) problems.push(`${name}: image ${image} is interpolated; pin it literally`);
    else if (!/\d+\.\d+/.test(tag)) problems.push(`${name}: image ${image} floats over releases (pin at least major.minor)`);
  }
  return problems;
}

/**
 * The app image is built once: exactly one service builds the Dockerfile and names the image, and
 * every other service that runs an app (or its migrations) uses that image with no build of its own,
 * never pulled (it exists nowhere but here).
 */
export function appImageProblems(compose: ComposeFile): string[] {
  const builders = Object.entries(compose.services).filter(([, s]) => s.build);
  if (builders.length !== 1) return [`${builders.length} services build an image (${builders.map(([n]) => n).join(', ') || 'none'}); build the app image once and reuse it`];
  const [builderName, builder] = builders[0] as [string, ComposeService];
  if (!builder.image) return [`${builderName}: builds the app image but does not name it (image:), so nothing can reuse it`];
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === builderName || !appOf(service)) continue;
    if (service.image !== builder.image) problems.push(`${name}: runs an app but not the image ${builderName} builds (${builder.image})`);
    else if (service.pull_policy !== 'never') problems.push(`${name}: uses the locally built ${builder.image}; set pull_policy: never`);
  }
  return problems;
}

/** A dependency with a healthcheck is waited for until healthy: `service_started` would race its start-up. */
export function startedButHealthChecked(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [target, condition] of Object.entries(dependsOnOf(service))) {
      const dependency = compose.services[target];
      if (condition === 'service_started' && dependency?.healthcheck?.test && !dependency.healthcheck.disable) {
        problems.push(`${name}: waits only for ${target} to start, but ${target} has a healthcheck (use service_healthy)`);
      }
    }
  }
  return problems;
}

/** Compose's broker image and the native runner's jars (infra/kafka/pom.xml kafka.version) are the same Kafka release. */
export function kafkaVersionProblems(compose: ComposeFile, pomKafkaVersion: string): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const m = /^apache\/kafka:(.+)$/.exec(service.image ?? '');
    if (m && m[1] !== pomKafkaVersion) problems.push(`${name}: apache/kafka:${m[1]}, but infra/kafka/pom.xml resolves Kafka ${pomKafkaVersion}`);
  }
  return problems;
}

/** Bind-mounted host paths and build contexts/Dockerfiles exist; named volumes are declared. */
export function missingHostPaths(compose: ComposeFile, root = REPO_ROOT): string[] {
  const problems: string[] = [];
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, service] of Object.entries(compose.services)) {
    for (const volume of service.volumes ?? []) {
      let source: string | undefined;
      let isBind: boolean;
      if (typeof volume === 'string') {
        source = volume.split(':')[0];
        isBind = source !== undefined && (source.startsWith('.') || source.startsWith('/') || source.startsWith('~'));
      } else {
        source = volume.source;
        isBind = volume.type === 'bind';
      }
      if (!source) continue;
      if (isBind) {
        if (!existsSync(path.resolve(root, source))) problems.push(`${name}: bind-mounted ${source} does not exist in the repository`);
      } else if (!declaredVolumes.has(source)) {
        problems.push(`${name}: named volume ${source} is not declared under top-level volumes`);
      }
    }
    if (service.build) {
      const context = typeof service.build === 'string' ? service.build : (service.build.context ?? '.');
      const dockerfile = typeof service.build === 'string' ? 'Dockerfile' : (service.build.dockerfile ?? 'Dockerfile');
      const contextDir = path.resolve(root, context);
      if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) problems.push(`${name}: build context ${context} does not exist`);
      else if (!existsSync(path.resolve(contextDir, dockerfile))) problems.push(`${name}: ${path.join(context, dockerfile)} does not exist`);
    }
  }
  return problems;
}

/** depends_on names existing services with a valid condition; `service_healthy` needs a healthcheck. */
export function brokenDependencies(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [target, condition] of Object.entries(dependsOnOf(service))) {
      const dependency = compose.services[target];
      if (!dependency) {
        problems.push(`${name}: depends on "${target}", which is not a service`);
        continue;
      }
      if (!DEPENDS_ON_CONDITIONS.has(condition)) problems.push(`${name}: depends on ${target} with unknown condition ${condition}`);
      if (condition === 'service_healthy' && (!dependency.healthcheck?.test || dependency.healthcheck.disable)) {
        problems.push(`${name}: waits for ${target} to be healthy, but ${target} has no healthcheck`);
      }
      if (condition === 'service_completed_successfully' && dependency.restart && dependency.restart !== 'no') {
        problems.push(`${name}: waits for ${target} to complete, but ${target} restarts (${dependency.restart})`);
      }
    }
  }
  return problems;
}

/**
 * Compose interpolates `$NAME` and `${NAME}`: a literal `$` (shell variables in a one-shot
 * script, Debezium's `${routedByValue}`) must be written `$$`. Interpolation with a default
 * (`${NAME:-value}`) is allowed.
 */
export function unescapedDollars(text: string): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    const rest = line.replace(/\$\$/g, '').replace(/\$\{[A-Z_][A-Z0-9_]*:?[-?][^}]*\}/g, '');
    if (rest.includes('$')) problems.push(`docker-compose.yml:${i + 1}: a single $ is interpolated by compose; write $$ for a literal one: ${line.trim()}`);
  });
  return problems;
}

export function postgresProblems(compose: ComposeFile): string[] {
  const postgres = compose.services['postgres'];
  if (!postgres) return ['service "postgres" is missing'];
  const problems: string[] = [];
  const command = commandText(postgres);
  if (!/\bwal_level=logical\b/.test(command)) problems.push('postgres: must run with -c wal_level=logical (Debezium pgoutput)');
  if (!postgres.volumes?.some((v) => typeof v === 'string' && /:\/docker-entrypoint-initdb\.d(:ro)?$/.test(v) && v.startsWith('./infra/postgres/init'))) {
    problems.push('postgres: ./infra/postgres/init must be mounted at /docker-entrypoint-initdb.d');
  }
  return problems;
}

/** Each connector JSON parses, is a flat string map, and is a Debezium pgoutput outbox connector for `postgres`. */
export function connectorFileProblems(connectors: ConnectorFile[]): string[] {
  if (connectors.length === 0) return ['infra/kafka/connectors has no connector JSON files'];
  const problems: string[] = [];
  for (const { file, config } of connectors) {
    const rel = path.relative(REPO_ROOT, file);
    if (config instanceof Error) {
      problems.push(`${rel} does not parse: ${config.message}`);
      continue;
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      problems.push(`${rel} must be a flat JSON object (the body of PUT /connectors/<name>/config)`);
      continue;
    }
    const c = config as Record<string, unknown>;
    for (const [k, v] of Object.entries(c)) if (typeof v !== 'string') problems.push(`${rel}: "${k}" must be a string`);
    if (c['connector.class'] !== 'io.debezium.connector.postgresql.PostgresConnector') problems.push(`${rel}: connector.class must be the Debezium PostgresConnector`);
    if (c['plugin.name'] !== 'pgoutput') problems.push(`${rel}: plugin.name must be pgoutput`);
    if (c['database.hostname'] !== 'postgres') problems.push(`${rel}: database.hostname must be postgres (the compose service)`);
    const transforms = typeof c['transforms'] === 'string' ? c['transforms'].split(',').map((t) => t.trim()) : [];
    if (!transforms.some((t) => c[`transforms.${t}.type`] === 'io.debezium.transforms.outbox.EventRouter')) {
      problems.push(`${rel}: must route with io.debezium.transforms.outbox.EventRouter`);
    }
  }
  return problems;
}

/** The registration service PUTs every connector file: it names each, or loops over the mounted directory. */
export function unregisteredConnectors(compose: ComposeFile, connectors: ConnectorFile[]): string[] {
  const register = compose.services['register-connectors'];
  if (!register) return ['service "register-connectors" is missing'];
  const problems: string[] = [];
  const script = commandText(register);
  if (!/\bPUT\b/.test(script) || !script.includes('/connectors/') || !script.includes('/config')) {
    problems.push('register-connectors: must PUT each config to /connectors/<name>/config (idempotent)');
  }
  const mount = (register.volumes ?? [])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.split(':'))
    .find(([source]) => source !== undefined && path.resolve(REPO_ROOT, source) === path.join(REPO_ROOT, 'infra', 'kafka', 'connectors'));
  const target = mount?.[1];
  if (!target) problems.push('register-connectors: must mount ./infra/kafka/connectors');
  const loopsOverDirectory = target !== undefined && script.includes(`${target.replace(/\/$/, '')}/*.json`);
  for (const { name } of connectors) {
    if (!loopsOverDirectory && !script.includes(`${name}.json`)) problems.push(`register-connectors: does not register ${name}.json`);
  }
  return problems;
}

/** Which database and role a postgres:// URL names. */
export function databaseOfUrl(url: string): { database: string; user: string; host: string } | undefined {
  try {
    const u = new URL(url);
    return { database: decodeURIComponent(u.pathname.replace(/^\//, '')), user: decodeURIComponent(u.username), host: u.hostname };
  } catch {
    return undefined;
  }
}

/** Each service's DATABASE_URL names a database and role that infra/postgres/init creates, on host `postgres`. */
export function unknownDatabases(compose: ComposeFile, created: { databases: Set<string>; roles: Set<string> }): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const url = environmentOf(service)['DATABASE_URL'];
    if (url === undefined) continue;
    const parsed = databaseOfUrl(url);
    if (!parsed) {
      problems.push(`${name}: DATABASE_URL is not a URL`);
      continue;
    }
    if (parsed.host !== 'postgres') problems.push(`${name}: DATABASE_URL must point at host postgres, not ${parsed.host}`);
    if (!created.databases.has(parsed.database)) problems.push(`${name}: database ${parsed.database} is not created by infra/postgres/init`);
    if (!created.roles.has(parsed.user)) problems.push(`${name}: role ${parsed.user} is not created by infra/postgres/init`);
  }
  return problems;
}

/** Every env var an app's config requires is set for each service that runs the app (services and migrations). */
export function missingAppEnv(compose: ComposeFile, varsOf: (app: string) => AppEnvVar[] = (app) => appEnvVars(app)): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const app = appOf(service);
    if (!app) continue;
    const env = environmentOf(service);
    for (const v of varsOf(app)) if (v.required && !(v.name in env)) problems.push(`${name}: ${app} requires ${v.name}, which is not set`);
  }
  return problems;
}

/**
 * Each app under apps/ runs as a service of its own name that runs its dist/src/main.js (listening on
 * 0.0.0.0 and publishing its PORT), and its migrations, if it has any, run as a one-shot service
 * the app waits for.
 */
export function appServiceProblems(compose: ComposeFile, root = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const app of listApps(root)) {
    const service = compose.services[app];
    if (!service) {
      problems.push(`apps/${app} has no service "${app}" in docker-compose.yml`);
      continue;
    }
    if (!commandText(service).includes(`apps/${app}/dist/src/main.js`)) problems.push(`${app}: must run node apps/${app}/dist/src/main.js`);
    const env = environmentOf(service);
    if (env['HOST'] !== '0.0.0.0') problems.push(`${app}: HOST must be 0.0.0.0 inside a container`);
    const port = env['PORT'];
    const published = (service.ports ?? []).map((p) => (typeof p === 'object' ? String(p.target) : String(p).split(':').pop()));
    if (port && !published.includes(port)) problems.push(`${app}: PORT ${port} is not published`);
    if (existsSync(path.join(root, 'apps', app, 'src', 'migrate.ts'))) {
      const entry = `apps/${app}/dist/src/migrate.js`;
      const migrate = Object.entries(compose.services).find(([, s]) => commandText(s).includes(entry));
      if (!migrate) problems.push(`${app}: no one-shot service runs ${entry}`);
      else if (dependsOnOf(service)[migrate[0]] !== 'service_completed_successfully') {
        problems.push(`${app}: must depend on ${migrate[0]} with condition service_completed_successfully`);
      }
    }
  }
  // an entry point a command names must be one the build produces
  for (const [name, service] of Object.entries(compose.services)) {
    for (const m of commandText(service).matchAll(/\bapps\/([a-z0-9-]+)\/dist\/(src\/[\w/-]+)\.js\b/g)) {
      if (!existsSync(path.join(root, 'apps', m[1] ?? '', `${m[2] ?? ''}.ts`))) problems.push(`${name}: runs apps/${m[1]}/dist/${m[2]}.js, but apps/${m[1]}/${m[2]}.ts does not exist`);
    }
  }
  return problems;
}

/** Clients reach Kafka through an advertised in-network listener, and the topics service creates every topic. */
export function kafkaProblems(compose: ComposeFile, topics: readonly string[]): string[] {
  const kafka = compose.services['kafka'];
  if (!kafka) return ['service "kafka" is missing'];
  const problems: string[] = [];
  const advertised = (environmentOf(kafka)['KAFKA_ADVERTISED_LISTENERS'] ?? '').split(',').map((l) => l.replace(/^[A-Z_]+:\/\//, ''));
  for (const [name, service] of Object.entries(compose.services)) {
    const env = environmentOf(service);
    const brokers = [env['KAFKA_BROKERS'], env['BOOTSTRAP_SERVERS'], env['KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS']].filter((b): b is string => b !== undefined);
    for (const broker of brokers.flatMap((b) => b.split(',')).map((b) => b.trim())) {
      if (!advertised.includes(broker)) problems.push(`${name}: broker ${broker} is not an advertised Kafka listener (${advertised.join(', ')})`);
      if (broker.startsWith('localhost:')) problems.push(`${name}: broker ${broker} is the host listener; use the in-network one`);
    }
  }
  const creator = Object.entries(compose.services).find(([, s]) => commandText(s).includes('kafka-topics.sh'));
  if (!creator) problems.push('no service creates the topics (kafka-topics.sh --create)');
  else for (const topic of topics) if (!new RegExp(`(^|[\\s'"])${topic.replace('.', '\\.')}([\\s'";]|$)`).test(commandText(creator[1]))) problems.push(`${creator[0]}: does not create ${topic}`);
  return problems;
}

/**
 * ADR 0018: whoever creates a domain topic, it gets `config` (cleanup.policy, retention.ms,
 * segment.ms). The topics service creates them with it and corrects a topic that exists already
 * (kafka-configs.sh --alter); the broker's defaults match, for a topic auto-created by a client;
 * each connector creates the topics it routes to with the same values (topic.creation.default.*).
 */
export function topicRetentionProblems(compose: ComposeFile, connectors: ConnectorFile[], config: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const kafka = compose.services['kafka'];
  if (!kafka) problems.push('service "kafka" is missing');
  else {
    const env = environmentOf(kafka);
    const brokerKeys: Record<string, string> = { 'cleanup.policy': 'KAFKA_LOG_CLEANUP_POLICY', 'retention.ms': 'KAFKA_LOG_RETENTION_MS', 'segment.ms': 'KAFKA_LOG_ROLL_MS' };
    for (const [key, value] of Object.entries(config)) {
      const envKey = brokerKeys[key];
      if (envKey && env[envKey] !== value) problems.push(`kafka: ${envKey} must be ${value} (the domain topics' ${key})`);
    }
  }
  const creator = Object.entries(compose.services).find(([, s]) => commandText(s).includes('kafka-topics.sh'));
  if (!creator) problems.push('no service creates the topics (kafka-topics.sh --create)');
  else {
    const [name, service] = creator;
    const script = commandText(service);
    for (const [key, value] of Object.entries(config)) {
      if (!script.includes(`--config ${key}=${value}`)) problems.push(`${name}: kafka-topics.sh --create must pass --config ${key}=${value}`);
    }
    const alter = /kafka-configs\.sh[^\n]*--alter[^\n]*(?:\\\n[^\n]*)*--add-config\s+(\S+)/.exec(script);
    const added = new Map((alter?.[1] ?? '').split(',').map((kv) => kv.split('=') as [string, string | undefined]));
    for (const [key, value] of Object.entries(config)) {
      if (added.get(key) !== value) problems.push(`${name}: kafka-configs.sh --alter --add-config must set ${key}=${value} on a topic that already exists`);
    }
  }
  for (const { file, config: connector } of connectors) {
    if (typeof connector !== 'object' || connector === null || connector instanceof Error) continue;
    const c = connector as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
      if (c[`topic.creation.default.${key}`] !== value) problems.push(`${path.relative(REPO_ROOT, file)}: topic.creation.default.${key} must be "${value}"`);
    }
  }
  return problems;
}

/**
 * Every app's healthcheck asks its readiness (GET /health/ready): `service_healthy` then means its
 * database answers and its consumer is in its group, not merely that the process answers.
 */
export function readinessHealthcheckProblems(compose: ComposeFile, root = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const app of listApps(root)) {
    const check = compose.services[app]?.healthcheck;
    if (!check) continue; // a missing service is appServiceProblems' finding
    const test = Array.isArray(check.test) ? check.test.join(' ') : (check.test ?? '');
    if (check.disable || !test.includes('/health/ready')) problems.push(`${app}: its healthcheck must ask GET /health/ready`);
  }
  return problems;
}
