// state.json: what a profile's running stack is made of, written as each component comes up so
// that `down`, a second `up`, the test harness, or a crashed run's successor can find exactly the
// processes that were started (by pid + command-line match) and nothing else.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { InfraPorts, ProfileName, StackPaths } from './profile';
import { isAlive } from './processes';

export interface ServiceInfo {
  port: number;
  url: string;
  /** The service's runtime env (see services.ts); spread it over process.env to run it. */
  env: Record<string, string>;
  databaseUrl: string;
}

export interface StackInfo {
  profile: ProfileName;
  pg: { host: string; port: number; superuserUrl: string };
  kafka: { brokers: string[] };
  connectUrl: string;
  /** The SMTP sink: where services send mail, and its Mailpit-compatible API. Absent on a stack started before it existed. */
  smtp?: { host: string; port: number; apiUrl: string };
  /** Every service of the registry present in this checkout, running or not. */
  services: Record<string, ServiceInfo>;
  runtimeDir: string;
  logsDir: string;
}

export interface ProcessRecord {
  pid: number;
  /** A substring of the process's command line; guards against pid reuse. */
  match: string;
  logFile: string;
}

export interface StackState {
  version: 1;
  profile: ProfileName;
  repoRoot: string;
  startedAt: string;
  /** Set once everything requested is ready; a state without it is a start in progress (or a failed one). */
  readyMs?: number;
  /** The process that ran the start (a state without readyMs and with this pid alive is still starting). */
  starterPid: number;
  /** Set while `down` (or a failed start's cleanup) is stopping it. */
  stopping?: boolean;
  /** The `up` process that owns the stack in the foreground, if any. */
  ownerPid?: number;
  ports: InfraPorts;
  info: StackInfo;
  pg?: ProcessRecord & { bin: string; root: string; dataDir: string; socketDir: string; fallback: boolean };
  kafka?: ProcessRecord;
  connect?: ProcessRecord & { pluginDiscovery: string };
  smtpSink?: ProcessRecord;
  connectors: { name: string; service: string; slot: string }[];
  services: Record<string, ProcessRecord & { port: number }>;
  /** Registered services whose apps/<name> is not in this checkout yet. */
  skippedServices: string[];
}

export function readState(paths: StackPaths): StackState | undefined {
  if (!existsSync(paths.stateFile)) return undefined;
  try {
    const state = JSON.parse(readFileSync(paths.stateFile, 'utf8')) as StackState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined; // torn or hand-edited: treated as no state (leftover pg is still found via postmaster.pid)
  }
}

/** Atomic replace, so a concurrent reader never sees half a file. */
export function writeState(paths: StackPaths, state: StackState): void {
  mkdirSync(path.dirname(paths.stateFile), { recursive: true });
  const tmp = `${paths.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, paths.stateFile);
}

export function removeState(paths: StackPaths): void {
  rmSync(paths.stateFile, { force: true });
}

export function recordAlive(rec: ProcessRecord | undefined): boolean {
  return rec !== undefined && isAlive(rec.pid, rec.match);
}

/** PostgreSQL, Kafka and Connect all alive. */
export function infraAlive(state: StackState): boolean {
  return recordAlive(state.pg) && recordAlive(state.kafka) && recordAlive(state.connect);
}

/** Anything of this state still running (for cleanup of partial stacks). */
export function anythingAlive(state: StackState): boolean {
  return recordAlive(state.pg) || recordAlive(state.kafka) || recordAlive(state.connect) || recordAlive(state.smtpSink) || Object.values(state.services).some(recordAlive);
}
