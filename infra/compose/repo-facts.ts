// What the compose file is checked against, read from the repository: the apps and the env vars
// their configs read, the databases and roles the Postgres init scripts create, the connectors.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { type ComposeFile, parseCompose } from './compose-model';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The repository's docker-compose.yml, as text (for the line checks) and parsed. */
export function readCompose(root = REPO_ROOT): { text: string; compose: ComposeFile } {
  const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  return { text, compose: parseCompose(text) };
}

/** Apps under apps/ that have an HTTP entry point (src/main.ts). */
export function listApps(root = REPO_ROOT): string[] {
  const dir = path.join(root, 'apps');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'src', 'main.ts')))
    .sort();
}

export interface AppEnvVar {
  name: string;
  required: boolean;
}

/**
 * The env vars an app reads: the keys of the `configSchema` its apps/<app>/src/config/config.ts
 * exports (inherited base keys included), each required unless its schema accepts it unset (a
 * default, or optional).
 */
export function appEnvVars(app: string, root = REPO_ROOT): AppEnvVar[] {
  const file = path.join(root, 'apps', app, 'src', 'config', 'config.ts');
  if (!existsSync(file)) return [];
  // The path is found at run time on purpose: a static import would make this tooling depend on
  // every app, whose own tests depend on the tooling (a project cycle). Jest loads the .ts source;
  // a config module imports zod and @paystate/service-runtime/config only, so no Nest is loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const exports: unknown = require(file);
  const schema = typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>)['configSchema'] : undefined;
  if (!(schema instanceof z.ZodObject)) throw new Error(`${path.relative(root, file)} does not export its configSchema (a zod object)`);
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => ({ name, required: !field.safeParse(undefined).success }));
}

/** Files docker-entrypoint-initdb.d runs (top level only, as the postgres image does). */
function initFiles(root: string): string[] {
  const dir = path.join(root, 'infra', 'postgres', 'init');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(sql|sh)$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Databases and roles infra/postgres/init creates, read from its SQL and shell scripts. */
export function initCreates(root = REPO_ROOT): { databases: Set<string>; roles: Set<string> } {
  const databases = new Set<string>();
  const roles = new Set<string>();
  for (const file of initFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/CREATE\s+DATABASE\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi)) if (m[1]) databases.add(m[1]);
    for (const m of text.matchAll(/CREATE\s+(?:ROLE|USER)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi)) if (m[1]) roles.add(m[1]);
  }
  return { databases, roles };
}

export interface ConnectorFile {
  file: string;
  name: string;
  config: unknown;
}

export function connectorFiles(root = REPO_ROOT): ConnectorFile[] {
  const dir = path.join(root, 'infra', 'kafka', 'connectors');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      let config: unknown;
      try {
        config = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch (error) {
        config = error instanceof Error ? error : new Error(String(error));
      }
      return { file, name: f.replace(/\.json$/, ''), config };
    });
}

/** The Kafka release the native runner resolves (infra/kafka/pom.xml `kafka.version`). */
export function pomKafkaVersion(root = REPO_ROOT): string {
  const pom = readFileSync(path.join(root, 'infra', 'kafka', 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new Error('infra/kafka/pom.xml has no <kafka.version>');
  return version;
}

/** The Node release CI runs (.nvmrc). */
export function pinnedNodeVersion(root = REPO_ROOT): string {
  return readFileSync(path.join(root, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
}
