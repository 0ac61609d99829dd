import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { readStackState } from '@paystate/stack';
import { OpsError, EXIT, usageError } from '../errors';

/** Where pg_dump and pg_restore were found, and how (named in every error about them). */
export interface PgTools {
  pgDump: string;
  pgRestore: string;
  /** How they were found: the native stack's state.json, PATH, or $PAYSTATE_PG_BIN. */
  source: string;
}

type Env = Record<string, string | undefined>;

function onPath(tool: string, env: Env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, tool);
    if (existsSync(full)) return full;
  }
  return undefined;
}

/**
 * pg_dump and pg_restore: from the bin dir of the PostgreSQL the native stack runs (its state.json),
 * else from PATH, else from $PAYSTATE_PG_BIN. The stack's own binaries come first so the dump's
 * format matches the server.
 */
export function findPgTools(profile: string, env: Env = process.env): PgTools {
  const stackBin = readStackState(profile)?.pg?.bin;
  if (stackBin && existsSync(path.join(stackBin, 'pg_dump')) && existsSync(path.join(stackBin, 'pg_restore'))) {
    return { pgDump: path.join(stackBin, 'pg_dump'), pgRestore: path.join(stackBin, 'pg_restore'), source: `the ${profile} stack's state.json (${stackBin})` };
  }
  const dump = onPath('pg_dump', env);
  const restore = onPath('pg_restore', env);
  if (dump && restore) return { pgDump: dump, pgRestore: restore, source: 'PATH' };
  const bin = env['PAYSTATE_PG_BIN'];
  if (bin && existsSync(path.join(bin, 'pg_dump')) && existsSync(path.join(bin, 'pg_restore'))) {
    return { pgDump: path.join(bin, 'pg_dump'), pgRestore: path.join(bin, 'pg_restore'), source: `PAYSTATE_PG_BIN (${bin})` };
  }
  throw new OpsError(
    EXIT.unavailable,
    `pg_dump/pg_restore not found: not in the ${profile} stack's state.json${stackBin ? ` (${stackBin} lacks them)` : ''}, not on PATH, and PAYSTATE_PG_BIN is ${bin ? `${bin}, which lacks them` : 'not set'}`,
    'install the PostgreSQL client tools or set PAYSTATE_PG_BIN to their directory',
  );
}

/** Runs a PostgreSQL client tool; a non-zero exit is a failure carrying its stderr. */
export function runTool(tool: string, args: readonly string[], source: string, timeoutMs = 30 * 60_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(tool, [...args], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } }, (error, stdout, stderr) => {
      if (error) {
        reject(new OpsError(EXIT.failure, `${path.basename(tool)} (from ${source}) failed: ${(stderr || error.message).trim().slice(0, 2000)}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/** A usage error about the backup file the operator named. */
export const badBackup = (file: string, why: string): OpsError => usageError(`backup ${file}: ${why}`, 'name a custom-format dump (`ops backup <service> --out FILE`, or pg_dump -Fc)');
