// Process plumbing: spawn components detached with their output in a log file, tell whether a
// recorded pid is still *our* process, stop by pid (SIGTERM, then SIGKILL), poll for readiness.
// Nothing here ever signals a process by name: only pids this runner recorded.
import { spawn, SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, fstatSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { HOST, StackError } from './profile';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Cancellation for a start in progress (Ctrl-C during `up`): every wait loop checks it, so the
 * start aborts at the next poll and its cleanup stops what was already started.
 */
let abortSignal: AbortSignal | undefined;
export function setAbortSignal(signal: AbortSignal | undefined): void {
  abortSignal = signal;
}
export function checkAborted(): void {
  if (abortSignal?.aborted) throw new StackError('interrupted');
}

/**
 * Whether `pid` is a live (non-zombie) process whose command line contains `match`.
 * The match guards against pid reuse: after a reboot or a crash, a recorded pid may belong to
 * an unrelated process, which we must neither report as ours nor signal.
 */
export function isAlive(pid: number | undefined, match?: string): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but is not ours to signal (e.g. postgres started via runuser when we are not root).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const procDir = `/proc/${pid}`;
  if (!existsSync(procDir)) return true; // no procfs (macOS): kill(0) is all we can know
  try {
    const stat = readFileSync(`${procDir}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    if (match === undefined) return true;
    return readFileSync(`${procDir}/cmdline`, 'utf8').split('\0').join(' ').includes(match);
  } catch {
    return false; // exited between the checks
  }
}

/** Resident set size in MiB (Linux only). */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface SpawnLoggedOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /**
   * detached: own process group, survives the runner (needed for `up --detach`) and is not hit by
   * the terminal's Ctrl-C, so `up` can stop components in order (services → connect → kafka → pg).
   */
  detached: boolean;
}

/** Spawns with stdout+stderr appended to `logFile` (a file fd, so the child never blocks on a pipe). */
export function spawnLogged(command: string, args: string[], opts: SpawnLoggedOptions): ReturnType<typeof spawn> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  try {
    const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, fd], detached: opts.detached };
    const child = spawn(command, args, spawnOpts);
    if (opts.detached) child.unref();
    return child;
  } finally {
    closeSync(fd); // the child has its own copy
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a command to completion, output appended to `logFile`. Rejects only if it cannot be spawned. */
export function runLogged(command: string, args: string[], opts: Omit<SpawnLoggedOptions, 'detached'>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnLogged(command, args, { ...opts, detached: false });
    child.once('error', reject);
    // 'exit', not 'close': a daemonizing child (pg_ctl start) leaves the log fd open in its grandchild.
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Runs a command and captures its output (for short probes like `java -version`). */
export function capture(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult & { output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** Sends SIGTERM, waits up to `timeoutMs`, then SIGKILL. Resolves once the process is gone. */
export async function stopPid(pid: number, opts: { match?: string; timeoutMs: number; label: string; log?: (line: string) => void }): Promise<void> {
  if (!isAlive(pid, opts.match)) return;
  signal(pid, 'SIGTERM');
  signal(pid, 'SIGCONT'); // a process paused by the nemesis (SIGSTOP) acts on SIGTERM only once continued
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid, opts.match)) return;
    await sleep(150);
  }
  opts.log?.(`${opts.label} (pid ${pid}) did not stop within ${Math.round(opts.timeoutMs / 1000)} s: SIGKILL`);
  signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline && isAlive(pid, opts.match)) await sleep(100);
}

/** Sends `sig`; a process that is already gone is not an error. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Polls `probe` until it returns a value other than undefined. `check` runs on every round and may
 * throw to abort early (e.g. the process died, the connector FAILED) instead of waiting out the timeout.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; check?: () => void },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    checkAborted();
    opts.check?.();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      // A StackError is a verdict (the process died, the connector FAILED): stop waiting.
      if (err instanceof StackError) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new StackError(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${description}${why}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/** Resolves true when nothing listens on HOST:port (we could bind it ourselves). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortsFree(ports: { port: number; label: string; envVar: string }[]): Promise<void> {
  for (const p of ports) {
    if (!(await isPortFree(p.port))) {
      throw new StackError(`port ${p.port} (${p.label}) on ${HOST} is already in use by another process; free it or set ${p.envVar}`);
    }
  }
}

/** The absolute path of an executable on PATH, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The last `lines` lines of a (possibly large) file; reads at most the last 256 KiB. */
export function tailFile(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const all = buf.toString('utf8').split('\n');
    if (all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
