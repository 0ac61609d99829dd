import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { OpsRun } from './ops';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface OpsProcess {
  /** Resolves once the CLI's stderr has matched `pattern` (e.g. a "waiting for" line); rejects if it exits first or the time runs out. */
  stderrMatches(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The run's end, as runOps reports it. */
  done: Promise<OpsRun>;
  /**
   * Sends `signal` to the CLI's whole process group (tsx runs the CLI in a child process, which a
   * SIGKILL of tsx alone would leave running): `kill('SIGKILL')` is ops dying mid-operation.
   */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Like runOps, but returns while the real `paystate-ops` process still runs, for commands that wait
 * for something the test does next (e.g. `ops replay`, which waits for the service to be started).
 */
export function startOps(args: readonly string[], options: { env?: Record<string, string> } = {}): OpsProcess {
  const cli = path.join(repoRoot, 'tools', 'ops', 'src', 'main.ts');
  const tsx = require.resolve('tsx/cli', { paths: [repoRoot] });
  const child = spawn(process.execPath, [tsx, cli, '--profile', 'test', '--json', ...args], {
    cwd: repoRoot,
    env: { ...process.env, PAYSTATE_OPS_ACTOR: 'e2e-test', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so kill() reaches tsx's child that runs the CLI too
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of listeners) l();
  });
  const done = new Promise<OpsRun>((resolve) => {
    child.on('close', (code) => {
      exited = true;
      for (const l of listeners) l();
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? 1, stdout, stderr, json });
    });
  });
  return {
    done,
    kill: (signal = 'SIGTERM') => {
      if (!exited && child.pid !== undefined) process.kill(-child.pid, signal);
    },
    stderrMatches: (pattern, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`ops ${args.join(' ')}: stderr did not match ${pattern} within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        const check = (): void => {
          if (pattern.test(stderr)) finish();
          else if (exited) finish(new Error(`ops ${args.join(' ')} exited before its stderr matched ${pattern}:\n${stderr}\n${stdout}`));
        };
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      }),
  };
}
