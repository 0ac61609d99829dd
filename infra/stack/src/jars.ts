// The JVM half of the stack (Kafka broker + Connect classpath, Debezium plugin dir) comes from
// Maven Central through infra/kafka/pom.xml. It is resolved once into .local/cache/cdc, shared by
// all profiles, and re-resolved only when the pom changes (a marker holds the pom's hash).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { StackError, StackPaths } from './profile';
import { runLogged, which } from './processes';

const MARKER = '.pom-sha256';

export function pomHash(pomFile: string): string {
  return createHash('sha256').update(readFileSync(pomFile)).digest('hex');
}

/** Jars without which nothing can start; a cache missing any of them is treated as absent. */
export function cacheLooksComplete(libsDir: string, debeziumDir: string): boolean {
  const has = (dir: string, prefix: string): boolean => existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(prefix) && f.endsWith('.jar'));
  return (
    has(libsDir, 'kafka_2.13-') &&
    has(libsDir, 'connect-runtime-') &&
    has(libsDir, 'reload4j-') &&
    has(debeziumDir, 'debezium-connector-postgres-') &&
    has(debeziumDir, 'postgresql-')
  );
}

export function cacheIsCurrent(paths: StackPaths): boolean {
  const marker = path.join(paths.cacheDir, MARKER);
  return (
    existsSync(marker) &&
    readFileSync(marker, 'utf8').trim() === pomHash(paths.pomFile) &&
    cacheLooksComplete(paths.libsDir, paths.debeziumPluginDir)
  );
}

const MVN_MISSING = 'mvn not found: Maven 3.8+ is needed (once) to resolve the Kafka and Debezium jars';

/** Preflight: Maven is only a prerequisite while the cache is missing or stale. */
export function assertMavenIfNeeded(paths: StackPaths): void {
  if (!cacheIsCurrent(paths) && !which('mvn')) throw new StackError(MVN_MISSING);
}

/** Resolves the jars if needed. Returns true when Maven ran. */
export async function ensureCdcJars(paths: StackPaths, logFile: string, log: (line: string) => void): Promise<boolean> {
  if (cacheIsCurrent(paths)) return false;
  const mvn = which('mvn');
  if (!mvn) throw new StackError(MVN_MISSING);
  log(`resolving Kafka + Debezium jars with Maven into ${path.relative(paths.repoRoot, paths.cacheDir)} (log: ${logFile})`);
  // Resolve into a private directory, then swap: a concurrent or interrupted run never sees half a cache.
  const staging = `${paths.cacheDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const targets: [string, string][] = [
    ['kafka', path.join(staging, 'libs')],
    ['debezium', path.join(staging, 'plugins', path.basename(paths.debeziumPluginDir))],
  ];
  try {
    for (const [profile, outDir] of targets) {
      mkdirSync(outDir, { recursive: true });
      const res = await runLogged(
        mvn,
        ['-B', '--no-transfer-progress', '-f', paths.pomFile, `-P${profile}`, 'dependency:copy-dependencies', `-DoutputDirectory=${outDir}`],
        { cwd: paths.repoRoot, env: process.env, logFile },
      );
      if (res.code !== 0) throw new StackError(`Maven could not resolve the ${profile} jars (exit ${res.code}); see ${logFile}`);
    }
    if (!cacheLooksComplete(path.join(staging, 'libs'), path.join(staging, 'plugins', path.basename(paths.debeziumPluginDir)))) {
      throw new StackError(`Maven finished but expected jars are missing in ${staging}; see ${logFile}`);
    }
    writeFileSync(path.join(staging, MARKER), `${pomHash(paths.pomFile)}\n`);
    rmSync(paths.cacheDir, { recursive: true, force: true });
    mkdirSync(path.dirname(paths.cacheDir), { recursive: true });
    try {
      renameSync(staging, paths.cacheDir);
    } catch (err) {
      // Another run swapped in its copy first; fine if it is current.
      if (!cacheIsCurrent(paths)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return true;
}
