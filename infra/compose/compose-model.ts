// docker-compose.yml as data: its types, a strict parser, and the readers the checks share
// (environment, command, dependencies, build args and the app a service runs). No file system here.
import { parseDocument } from 'yaml';

export type EnvValue = string | number | boolean | null;

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, EnvValue> | string[] };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  ports?: (string | number | { target?: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  pull_policy?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses the compose file strictly: YAML errors (duplicate keys included) are thrown with their position. */
export function parseCompose(text: string): ComposeFile {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(`docker-compose.yml does not parse:\n${doc.errors.map((e) => e.message).join('\n')}`);
  const value: unknown = doc.toJS({ maxAliasCount: -1 });
  if (typeof value !== 'object' || value === null || !('services' in value)) throw new Error('docker-compose.yml has no services');
  return value as ComposeFile;
}

/** `environment` as a map, whichever of the two compose syntaxes is used. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.split('=')[0] ?? line, line.includes('=') ? line.slice(line.indexOf('=') + 1) : '']));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Entrypoint and command as one string, for "does the script mention X" checks. */
export function commandText(service: ComposeService): string {
  return [service.entrypoint ?? [], service.command ?? []].flat().join(' ');
}

export function dependsOnOf(service: ComposeService): Record<string, string> {
  const deps = service.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v?.condition ?? 'service_started']));
}

/** The `build.args` map, whichever of the two compose syntaxes is used. */
export function buildArgsOf(service: ComposeService): Record<string, string> {
  const build = service.build;
  if (!build || typeof build === 'string' || !build.args) return {};
  if (Array.isArray(build.args)) return Object.fromEntries(build.args.map((a) => [a.split('=')[0] ?? a, a.slice(a.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(build.args).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/**
 * The app (directory under apps/) a service runs, if any: from the Dockerfile's SERVICE build arg,
 * or from a command that runs `apps/<app>/dist/...`.
 */
export function appOf(service: ComposeService): string | undefined {
  const fromCommand = /\bapps\/([a-z0-9-]+)\/dist\//.exec(commandText(service))?.[1];
  return fromCommand ?? buildArgsOf(service)['SERVICE'];
}
