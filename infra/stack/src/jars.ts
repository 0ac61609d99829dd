// The JVM half of the stack (Kafka broker + Connect classpath, Debezium plugin dir) comes from
// Maven Central through infra/kafka/pom.xml. It is resolved once into .local/cache/cdc, shared by
// all profiles, and re-resolved only when the pom changes (a marker holds the pom's hash).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { StackError, StackPaths } from './profile';
import { runLogged, which } from './processes';
import { unzipSync } from 'fflate';

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

/**
 * Maven itself, when the machine has no `mvn`: Apache Maven MAVEN_VERSION, unpacked once into
 * .local/cache/maven. The first Maven has to come from somewhere without Maven, so it comes in two
 * steps through the ordinary clients, by name: npm brings the `mvn` package (a copy of Apache
 * Maven's 3.5.0 binary zip, integrity pinned), and that old Maven, with its own built-in default
 * repository, fetches org.apache.maven:apache-maven:MAVEN_VERSION:tar.gz:bin from Maven Central
 * with strict checksums; the archive must match MAVEN_SHA512 before it is unpacked. The 3.5.0
 * copy is deleted afterwards and never resolves the project's jars.
 */
export const MAVEN_VERSION = '3.9.16';
const MAVEN_SHA512 =
  '831a8591fe20c8243b1dbe7d71e3244f31d1665b0804b2e825e38cbbe5ce0cafb8338851f90780735568773e0a6cd07bbec107cda0b896b008b861075358b6f6';
const BOOTSTRAP_NPM_SPEC = 'mvn@3.5.0';
const BOOTSTRAP_NPM_INTEGRITY = 'sha512-uynlG/Lvog+CjLMNkrivNnzMXPzVUJLAaAnVzaQzDRwDuk9qFjh70touMjyohu79lGKlFnsCFPxpnGERT1IkfA==';
const BOOTSTRAP_ZIP = 'package/src/apache-maven-3.5.0-bin.zip';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

/** PAYSTATE_MAVEN_SOURCE: `auto` (the machine's mvn if on PATH, else the cached download), `system` or `download`. */
export const MAVEN_SOURCES = ['auto', 'system', 'download'] as const;
export type MavenSource = (typeof MAVEN_SOURCES)[number];

export function mavenSourceOf(env: NodeJS.ProcessEnv = process.env): MavenSource {
  const raw = (env.PAYSTATE_MAVEN_SOURCE ?? '').trim();
  if (raw === '') return 'auto';
  if (!(MAVEN_SOURCES as readonly string[]).includes(raw)) throw new StackError(`PAYSTATE_MAVEN_SOURCE=${raw} is not one of ${MAVEN_SOURCES.join(', ')}`);
  return raw as MavenSource;
}

export function mavenHome(paths: StackPaths): string {
  return path.join(path.dirname(paths.cacheDir), 'maven', `apache-maven-${MAVEN_VERSION}`);
}

/** The mvn to run now, or undefined when it has to be downloaded first. */
export function findMaven(paths: StackPaths, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const source = mavenSourceOf(env);
  if (source !== 'download') {
    const system = which('mvn', env);
    if (system) return system;
  }
  const cached = path.join(mavenHome(paths), 'bin', 'mvn');
  return source !== 'system' && existsSync(cached) ? cached : undefined;
}

/** Preflight: with PAYSTATE_MAVEN_SOURCE=system, a missing mvn fails before anything starts (auto downloads it). */
export function assertMavenIfNeeded(paths: StackPaths): void {
  mavenSourceOf();
  if (!cacheIsCurrent(paths) && mavenSourceOf() === 'system' && !findMaven(paths)) {
    throw new StackError('mvn not found: PAYSTATE_MAVEN_SOURCE=system needs Maven 3.8+ on PATH (once) to resolve the Kafka and Debezium jars', 'install Maven or unset PAYSTATE_MAVEN_SOURCE to let the runner fetch Maven itself');
  }
}

const sha = (algo: 'sha512', file: string, enc: 'hex' | 'base64'): string => createHash(algo).update(readFileSync(file)).digest(enc);

/** Downloads and unpacks Maven MAVEN_VERSION into .local/cache/maven (see MAVEN_VERSION). Returns its bin/mvn. */
export async function downloadMaven(paths: StackPaths, logFile: string, log: (line: string) => void): Promise<string> {
  const home = mavenHome(paths);
  const npm = which('npm');
  if (!npm) throw new StackError('no mvn on PATH and no npm to fetch Maven with', 'install Maven 3.8+ or put npm on PATH');
  const tar = which('tar');
  if (!tar) throw new StackError('no mvn on PATH and no tar to unpack Maven with', 'install Maven 3.8+ or tar');
  log(`no mvn on PATH: fetching Apache Maven ${MAVEN_VERSION} into ${path.relative(paths.repoRoot, home)} (log: ${logFile})`);
  const work = `${home}.staging-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const run = async (what: string, cmd: string, args: string[], cwd = work): Promise<void> => {
      const res = await runLogged(cmd, args, { cwd, env: process.env, logFile });
      if (res.code !== 0) throw new StackError(`fetching Maven: ${what} failed (exit ${res.code}); see ${logFile}`);
    };
    // 1. the bootstrap Maven from npm
    await run(`npm pack ${BOOTSTRAP_NPM_SPEC}`, npm, ['pack', BOOTSTRAP_NPM_SPEC, '--silent', '--pack-destination', work]);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new StackError(`fetching Maven: npm pack ${BOOTSTRAP_NPM_SPEC} left no tarball; see ${logFile}`);
    if (`sha512-${sha('sha512', path.join(work, tgz), 'base64')}` !== BOOTSTRAP_NPM_INTEGRITY) {
      throw new StackError(`fetching Maven: ${BOOTSTRAP_NPM_SPEC} does not match its pinned integrity`);
    }
    await run('unpacking the npm tarball', tar, ['-xzf', tgz, BOOTSTRAP_ZIP]);
    const bootDir = path.join(work, 'bootstrap');
    for (const [name, data] of Object.entries(unzipSync(readFileSync(path.join(work, BOOTSTRAP_ZIP))))) {
      const target = path.join(bootDir, name);
      if (!target.startsWith(bootDir + path.sep)) throw new StackError(`fetching Maven: ${name} escapes the bootstrap directory`);
      if (name.endsWith('/')) continue;
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, data, { mode: name.includes('/bin/') ? 0o755 : 0o644 });
    }
    const bootMvn = path.join(bootDir, 'apache-maven-3.5.0', 'bin', 'mvn');
    // 2. the pinned Maven, by coordinates, from Maven Central (the bootstrap's default repository)
    await run(`mvn ${DEPENDENCY_PLUGIN}:copy apache-maven:${MAVEN_VERSION}`, bootMvn, [
      '-B', '-C', `${DEPENDENCY_PLUGIN}:copy`, // 3.5.0 predates --no-transfer-progress
      `-Dartifact=org.apache.maven:apache-maven:${MAVEN_VERSION}:tar.gz:bin`, `-DoutputDirectory=${work}`,
    ]);
    const archive = path.join(work, `apache-maven-${MAVEN_VERSION}-bin.tar.gz`);
    if (!existsSync(archive) || sha('sha512', archive, 'hex') !== MAVEN_SHA512) {
      throw new StackError(`fetching Maven: ${path.basename(archive)} is missing or does not match its pinned SHA-512; see ${logFile}`);
    }
    await run('unpacking Maven', tar, ['-xzf', archive]);
    const unpacked = path.join(work, `apache-maven-${MAVEN_VERSION}`);
    if (!existsSync(path.join(unpacked, 'bin', 'mvn'))) throw new StackError(`fetching Maven: the archive has no apache-maven-${MAVEN_VERSION}/bin/mvn`);
    rmSync(home, { recursive: true, force: true });
    renameSync(unpacked, home);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`Apache Maven ${MAVEN_VERSION} ready in ${path.relative(paths.repoRoot, home)}`);
  return path.join(home, 'bin', 'mvn');
}

/** Resolves the jars if needed. Returns true when Maven ran. */
export async function ensureCdcJars(paths: StackPaths, logFile: string, log: (line: string) => void): Promise<boolean> {
  if (cacheIsCurrent(paths)) return false;
  const mvn = findMaven(paths) ?? (mavenSourceOf() === 'system' ? undefined : await downloadMaven(paths, logFile, log));
  if (!mvn) throw new StackError('mvn not found: Maven 3.8+ is needed (once) to resolve the Kafka and Debezium jars');
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
