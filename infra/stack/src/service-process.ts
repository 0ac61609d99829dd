// Harness code, not runner code: a service of the running stack started as a child of the calling
// process (a test), owned by it and not recorded in state.json.
import { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { HOST, StackError, stackPaths } from './profile';
import { spawnLogged } from './processes';
import { waitReady } from './service-launch';
import { assertBuilt, findService, serviceNodeArgs } from './services';
import { StackInfo } from './state';

export interface ServiceProcess {
  pid: number;
  name: string;
  url: string;
  /** The env it was started with on top of the stack's (so the nemesis can restart it alike). */
  extraEnv: Readonly<Record<string, string>>;
  /** Sends `signal` (default SIGTERM), waits for exit (SIGKILL after 15 s). A paused process is resumed so it can act on it. */
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGKILL: a crash, for recovery tests. */
  kill(): Promise<ExitInfo>;
  waitForExit(): Promise<ExitInfo>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Children started by startServiceProcess; killed if this process exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts one service of the running stack as a child of this process (not recorded in
 * state.json: the caller owns it), with the stack's env for it plus `extraEnv`. Waits until it
 * is ready (GET /health/ready 200: database answers, consumer in its group) unless `waitReady: false`.
 */
export async function startServiceProcess(
  info: StackInfo,
  name: string,
  extraEnv: Record<string, string> = {},
  opts: { waitReady?: boolean; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const def = findService(name);
  const svc = info.services[def.name];
  if (!svc) throw new StackError(`${def.name} is not part of the ${info.profile} stack (apps/${def.name} missing?)`);
  const repoRoot = stackPaths(info.profile).repoRoot;
  const main = path.join(repoRoot, assertBuilt(repoRoot, def, 'main'));
  const env = { ...svc.env, ...extraEnv };
  const url = `http://${HOST}:${env.PORT ?? svc.port}`;
  const logFile = path.join(info.logsDir, `${def.name}.log`);
  const child = spawnLogged(process.execPath, serviceNodeArgs(info.profile, main), { cwd: repoRoot, env: { ...process.env, ...env }, logFile, detached: false });
  if (child.pid === undefined) throw new StackError(`could not spawn ${def.name}`);
  const pid = child.pid;
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
  const handle: ServiceProcess = {
    pid,
    name: def.name,
    url,
    extraEnv: { ...extraEnv },
    waitForExit: () => exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        child.kill('SIGCONT'); // a stopped (paused) process only acts on the signal once continued
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
  if (opts.waitReady !== false) {
    try {
      await waitReady(def.name, url, pid, logFile, opts.timeoutMs);
    } catch (err) {
      await handle.kill();
      throw err;
    }
  }
  return handle;
}
