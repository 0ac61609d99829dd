import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the PostgreSQL-only ceilings live: `shared/bench` beside the repository. */
const SHARED = path.resolve(__dirname, '../../../shared/bench');

export interface Ceiling {
  /** Runs of the script per second: for pg-saga-ceiling.sql, orders/s of PostgreSQL alone. */
  tps: number;
  script: string;
  clients: number;
  seconds: number;
}

/**
 * Runs pgbench with one of the shared ceiling scripts against a scratch database of the stack's own
 * PostgreSQL (created with pg-saga-ceiling.schema.sql, dropped afterwards), so a benchmark can set
 * its figure beside what the same PostgreSQL does alone in the same run. Says why and returns
 * undefined when it cannot run (no script, no pgbench/psql, a failure).
 */
export function pgbenchCeiling(superuserUrl: string, run: { script: string; seconds: number; clients: number }): Ceiling | undefined {
  const schema = path.join(SHARED, 'pg-saga-ceiling.schema.sql');
  const script = path.join(SHARED, run.script);
  if (!existsSync(script) || !existsSync(schema)) {
    console.warn(`PostgreSQL ceiling skipped: ${script} or ${schema} not found`);
    return undefined;
  }
  const url = new URL(superuserUrl);
  const env = { ...process.env, PGHOST: url.hostname, PGPORT: url.port, PGUSER: decodeURIComponent(url.username), PGPASSWORD: decodeURIComponent(url.password) };
  for (const tool of ['psql', 'pgbench']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'pipe' });
    } catch {
      console.warn(`PostgreSQL ceiling skipped: ${tool} is not on the PATH (PostgreSQL's client programs; on Debian/Ubuntu: apt-get install postgresql-client postgresql-contrib)`);
      return undefined;
    }
  }
  try {
    execFileSync('psql', ['-q', '-d', 'postgres', '-c', 'DROP DATABASE IF EXISTS paystate_bench', '-c', 'CREATE DATABASE paystate_bench'], { env, stdio: 'pipe' });
    execFileSync('psql', ['-q', '-d', 'paystate_bench', '-f', '-'], { env, stdio: 'pipe', input: readFileSync(schema) });
    const out = execFileSync('pgbench', ['-n', '-c', String(run.clients), '-j', '2', '-T', String(run.seconds), '-f', script, 'paystate_bench'], { env, encoding: 'utf8' });
    const match = /tps = ([\d.]+)/.exec(out);
    return match ? { tps: Number(match[1]), ...run } : undefined;
  } catch (error) {
    console.warn('PostgreSQL ceiling failed:', error instanceof Error ? error.message : error);
    return undefined;
  } finally {
    try {
      execFileSync('psql', ['-q', '-d', 'postgres', '-c', 'DROP DATABASE IF EXISTS paystate_bench'], { env, stdio: 'pipe' });
    } catch {
      // nothing to drop, or the server is gone: the warning above says why
    }
  }
}
