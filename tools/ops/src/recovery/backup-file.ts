import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, accessSync, constants, statSync } from 'node:fs';
import type { Client } from 'pg';
import { PgTools, badBackup, runTool } from './pg-tools';

/** The sidecar `ops backup` writes next to a dump (FILE.json). */
export interface BackupSidecar {
  service: string;
  database: string;
  /** Server time when the dump started: every transaction committed before it is in the dump. */
  takenAt: string;
  pgVersion: string;
}

/** What recover knows about a backup: where its time came from, and its digest (the recovery's identity). */
export interface BackupInfo {
  file: string;
  digest: string;
  bytes: number;
  database: string;
  takenAt: Date;
  timeSource: 'sidecar' | 'archive header';
  sidecar?: BackupSidecar;
}

export const sidecarPath = (file: string): string => `${file}.json`;

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads and checks a backup: it must be a readable custom-format dump (pg_restore -l lists it) of
 * `database`. Its time is the sidecar's `takenAt`, else the archive's "Archive created at" (parsed by
 * the server, which knows the zone names pg_dump prints).
 */
export async function readBackup(file: string, database: string, tools: PgTools, superuser: (work: (c: Client) => Promise<Date>) => Promise<Date>): Promise<BackupInfo> {
  if (!existsSync(file)) throw badBackup(file, 'no such file');
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw badBackup(file, 'not readable');
  }
  if (!statSync(file).isFile()) throw badBackup(file, 'not a file');
  let toc: string;
  try {
    toc = (await runTool(tools.pgRestore, ['-l', file], tools.source)).stdout;
  } catch (error) {
    throw badBackup(file, `not a custom-format dump pg_restore can read (${(error as Error).message})`);
  }
  const dbname = /^;\s+dbname:\s*(\S+)/m.exec(toc)?.[1];
  if (dbname && dbname !== database) throw badBackup(file, `it is a dump of ${dbname}, not of ${database}`);
  let sidecar: BackupSidecar | undefined;
  const side = sidecarPath(file);
  if (existsSync(side)) {
    try {
      sidecar = JSON.parse(readFileSync(side, 'utf8')) as BackupSidecar;
    } catch (error) {
      throw badBackup(file, `its sidecar ${side} is not JSON (${(error as Error).message})`);
    }
    if (sidecar.database !== database) throw badBackup(file, `its sidecar says it is a dump of ${sidecar.database}, not of ${database}`);
  }
  let takenAt: Date;
  let timeSource: BackupInfo['timeSource'];
  if (sidecar && !Number.isNaN(Date.parse(sidecar.takenAt))) {
    takenAt = new Date(sidecar.takenAt);
    timeSource = 'sidecar';
  } else {
    const created = /^;\s+Archive created at (.+)$/m.exec(toc)?.[1]?.trim();
    if (!created) throw badBackup(file, 'no sidecar and no "Archive created at" in its header: its time is unknown');
    takenAt = await superuser(async (c) => (await c.query<{ t: Date }>('SELECT $1::timestamptz AS t', [created])).rows[0]!.t).catch((error: unknown) => {
      throw badBackup(file, `its header's time "${created}" cannot be read (${(error as Error).message})`);
    });
    timeSource = 'archive header';
  }
  return { file, digest: await sha256(file), bytes: statSync(file).size, database, takenAt, timeSource, ...(sidecar ? { sidecar } : {}) };
}
