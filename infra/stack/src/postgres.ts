// PostgreSQL: a private cluster per profile (never the machine's own server), with logical WAL
// for Debezium, one role + database per service, and the services' migrations.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { Logger, secs } from './logging';
import { HOST, StackError, StackPaths, logFileOf } from './profile';
import { capture, isAlive, isRoot, runLogged, waitFor } from './processes';
import { LOCKED_SHARED_DATABASES, ServiceDefinition, presentServices, serviceDatabaseStatements } from './services';
import { StackState, writeState } from './state';

/** Debezium and the runner connect as this superuser (see infra/README.md, "Roles"). */
export const PG_SUPERUSER = 'postgres';
export const PG_SUPERUSER_PASSWORD = 'postgres';

export function superuserUrl(port: number, database = 'postgres'): string {
  return `postgres://${PG_SUPERUSER}:${PG_SUPERUSER_PASSWORD}@${HOST}:${port}/${database}`;
}

/** Directory holding initdb and pg_ctl: $PG_BIN, else the highest /usr/lib/postgresql/<v>/bin, else PATH. */
export function findPgBin(env: NodeJS.ProcessEnv = process.env): string {
  const hasTools = (dir: string): boolean => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  if (env.PG_BIN) {
    if (!hasTools(env.PG_BIN)) throw new StackError(`PG_BIN=${env.PG_BIN} does not contain initdb and pg_ctl`);
    return env.PG_BIN;
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = path.join(debianRoot, v, 'bin');
      if (hasTools(dir)) return dir;
    }
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && hasTools(dir)) return dir;
  }
  throw new StackError('PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL 15+ server or set PG_BIN');
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
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function pgUserIds(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new StackError('running as root but there is no "postgres" OS user to run PostgreSQL as');
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
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir, '-a', '-x', dir], { stdio: 'ignore', cwd: '/' });
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
  const layout = choosePgLayout(paths);
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
