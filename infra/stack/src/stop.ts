// Stopping: exactly what state.json says was started, each by its recorded pid (never by name),
// in reverse dependency order; and a reset, which also deletes the profile's data.
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { Logger, defaultLogger } from './logging';
import { findPgBin, postmasterPid, stopPostgres } from './postgres';
import { StackPaths, logFileOf, resolveProfile, stackPaths } from './profile';
import { stopPid } from './processes';
import { StackState, anythingAlive, readState, removeState, writeState } from './state';

/** Stops services → Connect → Kafka → PostgreSQL, each by its recorded pid; removes state.json. */
export async function stopFromState(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
  if (readState(paths)) writeState(paths, { ...state, stopping: true }); // a foreground `up` watching it stays quiet
  await Promise.all(
    Object.entries(state.services).map(([name, rec]) => stopPid(rec.pid, { match: rec.match, timeoutMs: 15_000, label: name, log })),
  );
  if (state.smtpSink) await stopPid(state.smtpSink.pid, { match: state.smtpSink.match, timeoutMs: 10_000, label: 'smtp sink', log });
  // Connect first: on SIGTERM it commits source offsets, so Debezium resumes where it stopped.
  if (state.connect) await stopPid(state.connect.pid, { match: state.connect.match, timeoutMs: 60_000, label: 'kafka connect', log });
  if (state.kafka) await stopPid(state.kafka.pid, { match: state.kafka.match, timeoutMs: 60_000, label: 'kafka', log });
  if (state.pg) await stopPostgres(state.pg.bin, state.pg.dataDir, state.pg.logFile);
  removeState(paths);
}

/** A cluster of ours still running without a state.json (deleted by hand, or a crash mid-start). */
export async function stopOrphanPostgres(paths: StackPaths, log: Logger): Promise<void> {
  for (const root of [paths.pgRoot, paths.pgFallbackRoot]) {
    const dataDir = path.join(root, 'data');
    const pid = postmasterPid(dataDir);
    if (pid === undefined) continue;
    log(`stopping a PostgreSQL left running in ${dataDir} (pid ${pid})`);
    await stopPostgres(findPgBin(), dataDir, logFileOf(paths, 'postgres'));
  }
}

/** Stops the profile's stack. Resolves false when nothing was running. */
export async function stopStack(profile?: string, log: Logger = defaultLogger): Promise<boolean> {
  const paths = stackPaths(resolveProfile(profile));
  const state = readState(paths);
  const wasRunning = state !== undefined && anythingAlive(state);
  if (state) await stopFromState(state, paths, log);
  await stopOrphanPostgres(paths, log);
  return wasRunning;
}

/** Stop, then delete the profile's runtime dir (data, logs, state) but keep the shared jar cache. */
export async function resetStack(profile?: string, log: Logger = defaultLogger): Promise<void> {
  const paths = stackPaths(resolveProfile(profile));
  await stopStack(profile, log);
  wipeRuntime(paths);
}

/** The cluster is ours alone, so deleting its data dir is the whole cleanup (slots, publications included). */
export function wipeRuntime(paths: StackPaths): void {
  rmSync(paths.runtimeDir, { recursive: true, force: true });
  rmSync(path.dirname(paths.pgFallbackRoot), { recursive: true, force: true });
}
