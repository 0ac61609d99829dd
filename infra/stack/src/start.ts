// Starting a profile's stack: reuse a running one (adopting what it lacks), otherwise preflight
// (fail fast, before anything is started), then PostgreSQL ∥ the JVM side ∥ the SMTP sink
// concurrently, the connectors, and the services. Each component module starts its own part and
// records it in state.json.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { connectUrl, launchConnect, registerConnectors, waitAllConnectors } from './connect';
import { assertMavenIfNeeded, ensureCdcJars } from './jars';
import { brokerList, findJava, startKafkaPart } from './kafka';
import { Logger, defaultLogger, secs } from './logging';
import { choosePgBin, ensureServiceDatabases, startPostgresPart, superuserUrl } from './postgres';
import { HOST, INFRA_PORT_ENV, InfraPorts, ProfileName, SMTP_SINK_PORT_ENV, StackError, StackPaths, infraPorts, logFileOf, resolveProfile, smtpSinkPorts, stackPaths } from './profile';
import { assertPortsFree, checkAborted, isAlive, runLogged, setAbortSignal, waitFor } from './processes';
import { runMigrations, startServices } from './service-launch';
import {
  ServiceDefinition,
  assertBuilt,
  devApiKeys,
  findService,
  presentServices,
  serviceDatabaseUrl,
  serviceEnv,
  servicePort,
  serviceEntries,
  servicePortEnvName,
} from './services';
import { adoptSmtpSink, launchSmtpSink } from './smtp-sink/launch';
import { ServiceInfo, StackInfo, StackState, anythingAlive, readState, recordAlive, writeState } from './state';
import { stopFromState, stopOrphanPostgres, wipeRuntime } from './stop';

export interface StartOptions {
  profile?: string;
  /** true: every service present in the checkout; false: infra + migrations + connectors only; or a subset by name. */
  services?: boolean | string[];
  log?: Logger;
  /** Set by a foreground `up`, shown by `status`. */
  ownerPid?: number;
  /**
   * Delete the profile's data (databases, topics, logs) before starting, so nothing of an earlier
   * run is seen. Ignored when the stack is already running (it is reused as it is).
   */
  fresh?: boolean;
  /** Aborts a start in progress; what was started is stopped and startStack rejects with "interrupted". */
  signal?: AbortSignal;
}

function buildInfo(profile: ProfileName, paths: StackPaths, ports: InfraPorts, present: ServiceDefinition[]): StackInfo {
  const servicePorts = Object.fromEntries(present.map((d) => [d.name, servicePort(d, profile)]));
  const services: Record<string, ServiceInfo> = {};
  for (const def of present) {
    const port = servicePorts[def.name] ?? def.ports[profile];
    services[def.name] = {
      port,
      url: `http://${HOST}:${port}`,
      env: serviceEnv(def, { profile, pgPort: ports.pg, kafkaPort: ports.kafka, servicePorts }),
      databaseUrl: serviceDatabaseUrl(def, ports.pg),
    };
  }
  const sink = smtpSinkPorts(profile);
  return {
    profile,
    pg: { host: HOST, port: ports.pg, superuserUrl: superuserUrl(ports.pg) },
    kafka: { brokers: brokerList(ports) },
    connectUrl: connectUrl(ports),
    smtp: { host: HOST, port: sink.smtp, apiUrl: `http://${HOST}:${sink.api}` },
    services,
    runtimeDir: paths.runtimeDir,
    logsDir: paths.logsDir,
  };
}

function selectServices(selection: boolean | string[] | undefined, present: ServiceDefinition[]): ServiceDefinition[] {
  if (selection === undefined || selection === false) return [];
  if (selection === true) return present;
  return selection.map((name) => {
    const def = findService(name);
    if (!present.includes(def)) throw new StackError(`${def.name}: apps/${def.name} is not in this checkout`);
    return def;
  });
}

/** Keeps the previous run's logs as <name>.log.1 so a fresh start begins with empty logs. */
function rotateLogs(paths: StackPaths): void {
  mkdirSync(paths.logsDir, { recursive: true });
  for (const f of readdirSync(paths.logsDir)) {
    if (f.endsWith('.log')) renameSync(path.join(paths.logsDir, f), path.join(paths.logsDir, `${f}.1`));
  }
}

/**
 * Starts the profile's stack, or returns the running one (`reused: true`). Safe to call from
 * several places (CLI, test runner, jest global setup). On failure, everything it started is
 * stopped again before the error propagates.
 */
export async function startStack(opts: StartOptions = {}): Promise<StackInfo & { reused: boolean }> {
  setAbortSignal(opts.signal);
  try {
    return await startStackUnguarded(opts);
  } finally {
    setAbortSignal(undefined);
  }
}

async function startStackUnguarded(opts: StartOptions): Promise<StackInfo & { reused: boolean }> {
  const t0 = Date.now();
  const log = opts.log ?? defaultLogger;
  const profile = resolveProfile(opts.profile);
  const paths = stackPaths(profile);
  const { present, absent } = presentServices(paths.repoRoot);
  const wanted = selectServices(opts.services, present);

  const existing = await waitForConcurrentStart(paths, log);
  if (existing) {
    if (existing.readyMs !== undefined && recordAlive(existing.pg) && recordAlive(existing.kafka)) {
      if (!recordAlive(existing.connect)) {
        log('Kafka Connect is not running (stopped by a test?): starting it again');
        await launchConnect(existing, paths, log);
        await waitAllConnectors(existing, log);
      }
      if (!recordAlive(existing.smtpSink)) await adoptSmtpSink(existing, paths, log);
      await adoptNewServices(existing, paths, present, absent, log);
      const missing = wanted.filter((d) => !recordAlive(existing.services[d.name]));
      if (missing.length > 0) {
        await assertPortsFree(missing.map((d) => ({ port: servicePort(d, profile), label: d.name, envVar: servicePortEnvName(d.name) })));
        await startServices(existing, paths, missing, log);
      }
      return { ...existing.info, reused: true };
    }
    if (anythingAlive(existing)) log(`found a partial ${profile} stack from an earlier run: stopping its leftovers first`);
    await stopFromState(existing, paths, log);
  }
  await stopOrphanPostgres(paths, log);

  // ---- preflight: fail fast, before anything is started
  const ports = infraPorts(profile);
  const java = await findJava();
  const pgBin = choosePgBin().bin;
  assertMavenIfNeeded(paths);
  for (const def of present) assertBuilt(paths.repoRoot, def, 'migrate');
  for (const def of wanted) assertBuilt(paths.repoRoot, def, 'main');
  await assertPortsFree([
    { port: ports.pg, label: 'PostgreSQL', envVar: INFRA_PORT_ENV.pg },
    { port: ports.kafka, label: 'Kafka', envVar: INFRA_PORT_ENV.kafka },
    { port: ports.kafkaController, label: 'Kafka controller', envVar: INFRA_PORT_ENV.kafkaController },
    { port: ports.connect, label: 'Kafka Connect', envVar: INFRA_PORT_ENV.connect },
    { port: smtpSinkPorts(profile).smtp, label: 'SMTP sink', envVar: SMTP_SINK_PORT_ENV.smtp },
    { port: smtpSinkPorts(profile).api, label: 'SMTP sink API', envVar: SMTP_SINK_PORT_ENV.api },
    ...wanted.map((d) => ({ port: servicePort(d, profile), label: d.name, envVar: servicePortEnvName(d.name) })),
  ]);
  for (const def of absent) log(`${def.name}: apps/${def.name} not in this checkout yet, skipped`);

  if (opts.fresh) wipeRuntime(paths);
  rotateLogs(paths);
  const state: StackState = {
    version: 1,
    profile,
    repoRoot: paths.repoRoot,
    startedAt: new Date(t0).toISOString(),
    ownerPid: opts.ownerPid,
    starterPid: process.pid,
    ports,
    info: buildInfo(profile, paths, ports, present),
    connectors: [],
    services: {},
    skippedServices: absent.map((d) => d.name),
  };
  writeState(paths, state);

  try {
    // PostgreSQL (+ roles, databases, migrations) and the JVM side (jars, Kafka, Connect) do not
    // depend on each other: bring them up concurrently, then join for the connectors.
    let devApiKeys: string[] = [];
    const results = await Promise.allSettled([
      (async () => {
        await startPostgresPart(state, paths, pgBin, log);
        for (const def of present) await runMigrations(paths, state.info, def, log);
        if (profile === 'dev') devApiKeys = await ensureDevApiKeys(paths, state.info, log);
      })(),
      (async () => {
        await ensureCdcJars(paths, logFileOf(paths, 'maven'), log);
        await startKafkaPart(state, paths, java, log);
        await launchConnect(state, paths, log);
      })(),
      launchSmtpSink(state, paths, log),
    ]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;

    checkAborted();
    await registerConnectors(state, paths, present, log);
    checkAborted();
    await startServices(state, paths, wanted, log);

    state.readyMs = Date.now() - t0;
    writeState(paths, state);
    log(`${profile} stack ready in ${secs(state.readyMs)}`);
    for (const line of devApiKeys) log(line);
    return { ...state.info, reused: false };
  } catch (err) {
    log(`${opts.signal?.aborted ? 'interrupted' : 'start-up failed'}: stopping what was started`);
    await stopFromState(state, paths, log).catch((e: unknown) => log(`cleanup: ${String(e)}`));
    throw err;
  }
}

/**
 * If another process is starting this profile right now (e.g. two jest tiers launched at once),
 * wait for it rather than mistaking its half-started stack for leftovers and stopping it.
 */
async function waitForConcurrentStart(paths: StackPaths, log: Logger): Promise<StackState | undefined> {
  const starting = (s: StackState | undefined): boolean =>
    s !== undefined && s.readyMs === undefined && s.starterPid !== process.pid && isAlive(s.starterPid);
  const first = readState(paths);
  if (!starting(first)) return first;
  log(`another process (pid ${first?.starterPid}) is starting the ${path.basename(paths.runtimeDir)} stack: waiting for it`);
  await waitFor('the concurrent start to finish', async () => (starting(readState(paths)) ? undefined : true), { timeoutMs: 600_000, intervalMs: 500 });
  return readState(paths);
}

/**
 * A running stack started before a service's app was in the checkout knows nothing of it: give it
 * its role, database and migrations, and add it to the stack's info, so it can be started.
 */
async function adoptNewServices(state: StackState, paths: StackPaths, present: ServiceDefinition[], absent: ServiceDefinition[], log: Logger): Promise<void> {
  const candidates = present.filter((d) => !state.info.services[d.name]);
  // A service whose app is being written but not built yet is left for a later run, so that one
  // unbuilt app does not stop every other suite that shares the running stack.
  const unbuilt = candidates.filter((d) => !existsSync(path.join(paths.repoRoot, serviceEntries(d).migrate)));
  for (const def of unbuilt) log(`${def.name}: ${serviceEntries(def).migrate} is missing (not built yet): not adopted this time`);
  const added = candidates.filter((d) => !unbuilt.includes(d));
  if (added.length === 0) return;
  log(`${added.map((d) => d.name).join(', ')}: new since this stack started; creating databases and running migrations`);
  await ensureServiceDatabases(state.ports.pg, added);
  state.info = buildInfo(state.profile, paths, state.ports, present.filter((d) => !unbuilt.includes(d)));
  state.skippedServices = absent.map((d) => d.name);
  writeState(paths, state);
  for (const def of added) await runMigrations(paths, state.info, def, log);
  if (added.some((d) => d.connector)) await registerConnectors(state, paths, added, log);
}

/**
 * Dev profile only: an order-service API key to try the API with (`Authorization: Bearer <key>`),
 * made by order-service's own CLI once and kept in the runtime dir, which a reset wipes together
 * with the database. While that key is still live it is reused.
 */
async function ensureDevApiKeys(paths: StackPaths, info: StackInfo, log: Logger): Promise<string[]> {
  const lines: string[] = [];
  for (const { service, scopes } of devApiKeys(paths.repoRoot)) {
    const svc = info.services[service];
    const cli = path.join(paths.repoRoot, 'apps', service, 'dist', 'src', 'cli', 'create-api-key.js');
    if (!svc || !existsSync(cli)) continue;
    const keyFile = path.join(paths.runtimeDir, `${service}-dev-api-key`);
    const logFile = logFileOf(paths, 'dev-api-key');
    const args = [cli, '--client', 'dev', '--name', 'dev stack', '--scopes', scopes.join(','), '--key-file', keyFile];
    const res = await runLogged(process.execPath, args, { cwd: paths.repoRoot, env: { ...process.env, ...svc.env }, logFile });
    if (res.code !== 0 || !existsSync(keyFile)) {
      log(`${service}: could not create the dev API key (exit ${res.code ?? res.signal}); see ${logFile}`);
      continue;
    }
    lines.push(`${service} dev API key (${scopes.join(', ')}): ${readFileSync(keyFile, 'utf8').trim()}`);
  }
  return lines;
}
