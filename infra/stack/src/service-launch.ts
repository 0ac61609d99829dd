// The runner's half of the services: migrations, and starting services as components of the stack
// (detached, recorded in state.json) in their start waves. The registry itself is services.ts.
import * as path from 'node:path';
import { Logger, secs } from './logging';
import { StackError, StackPaths, logFileOf } from './profile';
import { isAlive, runLogged, spawnLogged, tailFile, waitFor } from './processes';
import { ServiceDefinition, assertBuilt, serviceNodeArgs, startWaves } from './services';
import { StackInfo, StackState, writeState } from './state';

/** Runs one service's migrations with the service's own env; rejects with the log's tail on failure. */
export async function runMigrations(paths: StackPaths, info: StackInfo, def: ServiceDefinition, log: Logger): Promise<void> {
  const t = Date.now();
  const entry = assertBuilt(paths.repoRoot, def, 'migrate');
  const logFile = logFileOf(paths, `migrate-${def.name}`);
  const env = info.services[def.name]?.env ?? {};
  const res = await runLogged(process.execPath, [entry], { cwd: paths.repoRoot, env: { ...process.env, ...env }, logFile });
  if (res.code !== 0) {
    throw new StackError(`${def.name}: migrations failed (exit ${res.code ?? res.signal}); see ${logFile}`, tailFile(logFile, 30));
  }
  log(`${def.name}: migrations done (${secs(Date.now() - t)})`);
}

/** Starts services in waves (services.ts `startsAfter`: processor-sim before payment-service), each wave concurrently. */
export async function startServices(state: StackState, paths: StackPaths, defs: ServiceDefinition[], log: Logger): Promise<void> {
  for (const wave of startWaves(defs)) await startServiceWave(state, paths, wave, log);
}

/** Starts the services of one wave concurrently, each recorded in state.json, and waits until each is ready (GET /health/ready). */
export async function startServiceWave(state: StackState, paths: StackPaths, defs: ServiceDefinition[], log: Logger): Promise<void> {
  await Promise.all(
    defs.map(async (def) => {
      const t = Date.now();
      const info = state.info.services[def.name];
      if (!info) throw new StackError(`${def.name} is not part of this stack`);
      const main = path.join(paths.repoRoot, assertBuilt(paths.repoRoot, def, 'main'));
      const logFile = logFileOf(paths, def.name);
      const child = spawnLogged(process.execPath, serviceNodeArgs(state.profile, main), { cwd: paths.repoRoot, env: { ...process.env, ...info.env }, logFile, detached: true });
      if (child.pid === undefined) throw new StackError(`could not spawn ${def.name}`);
      state.services[def.name] = { pid: child.pid, match: main, logFile, port: info.port };
      writeState(paths, state);
      await waitReady(def.name, info.url, child.pid, logFile);
      log(`${def.name} ready on ${info.url} (${secs(Date.now() - t)})`);
    }),
  );
}

/**
 * GET /health/ready answers 200: the service's database answers and its consumer (if it has one)
 * has joined its group. Fails early, with the log's tail, when the process exits first.
 */
export async function waitReady(name: string, url: string, pid: number, logFile: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${name} GET /health/ready`,
    async () => {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return true;
      // kept as the last error: a timeout then says which check was down and why
      throw new Error(`${res.status} ${(await res.text()).slice(0, 400)}`);
    },
    {
      timeoutMs,
      intervalMs: 250,
      check: () => {
        // no command-line match here: between fork and exec a child just spawned still shows its
        // parent's command line, and the pid is ours, from seconds ago
        if (!isAlive(pid)) throw new StackError(`${name} exited during start-up; see ${logFile}`, tailFile(logFile, 30));
      },
    },
  );
}
