// Orchestration: start a profile's stack in dependency order, find a running one, stop exactly
// what was started, and the Connect/service helpers the test harness uses.
import { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_PLUGIN_DISCOVERY,
  connectPropertiesFile,
  connectUrl,
  connectorStatus,
  loadConnectorFile,
  nativeConnectorConfig,
  registerConnector,
  startConnectWorker,
  statusSummary,
  waitConnectReady,
  waitConnectorStreaming,
  writeConnectProperties,
} from './connect';
import { assertMavenIfNeeded, ensureCdcJars } from './jars';
import { DOMAIN_TOPICS, brokerList, ensureTopics, findJava, serverPropertiesFile, startKafka, waitKafkaReady, writeAndFormatKafka } from './kafka';
import {
  choosePgLayout,
  ensureServiceDatabases,
  findPgBin,
  initCluster,
  postmasterPid,
  replicationSlot,
  startPostgres,
  stopPostgres,
  superuserUrl,
  waitPostgresReady,
} from './postgres';
import { HOST, INFRA_PORT_ENV, InfraPorts, ProfileName, SMTP_SINK_PORT_ENV, StackError, StackPaths, infraPorts, resolveProfile, smtpSinkPorts, stackPaths, topicPartitions } from './profile';
import { assertPortsFree, checkAborted, isAlive, setAbortSignal, rssMiB, runLogged, spawnLogged, stopPid, tailFile, waitFor } from './processes';
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
  startWaves,
} from './services';
import { ServiceInfo, StackInfo, StackState, anythingAlive, infraAlive, readState, recordAlive, removeState, writeState } from './state';

export type Logger = (line: string) => void;
export const defaultLogger: Logger = (line) => process.stdout.write(`[stack] ${line}\n`);

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

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function logFileOf(paths: StackPaths, component: string): string {
  return path.join(paths.logsDir, `${component}.log`);
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
  const pgBin = findPgBin();
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

/** The SMTP sink runs from source with tsx, like the stack runner itself (it is part of it). */
const SMTP_SINK_ENTRY = path.join('infra', 'stack', 'src', 'smtp-sink', 'main.ts');

async function launchSmtpSink(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
  const t = Date.now();
  const ports = smtpSinkPorts(state.profile);
  const logFile = logFileOf(paths, 'smtp-sink');
  const entry = path.join(paths.repoRoot, SMTP_SINK_ENTRY);
  const env = {
    ...process.env,
    PAYSTATE_SMTP_SINK_SMTP_PORT: String(ports.smtp),
    PAYSTATE_SMTP_SINK_HTTP_PORT: String(ports.api),
    // kept across a sink restart; a reset wipes it with the rest of the runtime dir
    PAYSTATE_SMTP_SINK_STORE: path.join(paths.runtimeDir, 'smtp-sink', 'messages.jsonl'),
  };
  const child = spawnLogged(process.execPath, ['--import', 'tsx', entry], { cwd: paths.repoRoot, env, logFile, detached: true });
  if (child.pid === undefined) throw new StackError('could not spawn the SMTP sink');
  const pid = child.pid;
  const apiUrl = `http://${HOST}:${ports.api}`;
  state.smtpSink = { pid, match: entry, logFile };
  state.info.smtp = { host: HOST, port: ports.smtp, apiUrl };
  writeState(paths, state);
  await waitFor('the SMTP sink API', async () => ((await fetch(`${apiUrl}/livez`, { signal: AbortSignal.timeout(2_000) })).status === 200 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    check: () => {
      if (!isAlive(pid, entry)) throw new StackError(`the SMTP sink exited during start-up; see ${logFile}`, tailFile(logFile, 30));
    },
  });
  log(`smtp sink ready on ${HOST}:${ports.smtp}, Mailpit API ${apiUrl} (${secs(Date.now() - t)})`);
}

/** A running stack without a live sink (started before it existed, or it died): start one, but never fail the caller over it. */
async function adoptSmtpSink(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
  const ports = smtpSinkPorts(state.profile);
  try {
    await assertPortsFree([
      { port: ports.smtp, label: 'SMTP sink', envVar: SMTP_SINK_PORT_ENV.smtp },
      { port: ports.api, label: 'SMTP sink API', envVar: SMTP_SINK_PORT_ENV.api },
    ]);
    await launchSmtpSink(state, paths, log);
  } catch (err) {
    log(`the SMTP sink was not started: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function startPostgresPart(state: StackState, paths: StackPaths, bin: string, log: Logger): Promise<void> {
  const t = Date.now();
  const logFile = logFileOf(paths, 'postgres');
  const layout = choosePgLayout(paths);
  if (layout.fallback) log(`the postgres OS user cannot use ${paths.pgRoot}; the cluster lives in ${layout.root}`);
  if (await initCluster(bin, layout, logFile)) log(`initialised a PostgreSQL cluster in ${layout.dataDir}`);
  const pid = await startPostgres(bin, layout, state.ports.pg, logFile);
  state.pg = { pid, match: layout.dataDir, logFile, bin, root: layout.root, dataDir: layout.dataDir, socketDir: layout.socketDir, fallback: layout.fallback };
  writeState(paths, state);
  await waitPostgresReady(state.ports.pg);
  const { present } = presentServices(paths.repoRoot);
  await ensureServiceDatabases(state.ports.pg, present);
  log(`postgres ready on ${HOST}:${state.ports.pg} (${secs(Date.now() - t)})`);
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

async function runMigrations(paths: StackPaths, info: StackInfo, def: ServiceDefinition, log: Logger): Promise<void> {
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

async function startKafkaPart(state: StackState, paths: StackPaths, java: string, log: Logger): Promise<void> {
  const t = Date.now();
  const logFile = logFileOf(paths, 'kafka');
  await writeAndFormatKafka(java, paths, state.ports, topicPartitions(), logFile);
  const pid = startKafka(java, paths, logFile);
  state.kafka = { pid, match: serverPropertiesFile(paths), logFile };
  writeState(paths, state);
  await waitKafkaReady(state.info.kafka.brokers, pid, state.kafka.match, logFile);
  const created = await ensureTopics(state.info.kafka.brokers, DOMAIN_TOPICS, topicPartitions());
  log(`kafka ready on ${state.info.kafka.brokers.join(',')} (${secs(Date.now() - t)})${created.length ? `; created ${created.join(', ')}` : ''}`);
}

async function launchConnect(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
  const t = Date.now();
  const java = await findJava();
  const logFile = logFileOf(paths, 'connect');
  const discovery = process.env.PAYSTATE_CONNECT_PLUGIN_DISCOVERY ?? DEFAULT_PLUGIN_DISCOVERY;
  writeConnectProperties(paths, state.ports, discovery);
  const pid = startConnectWorker(java, paths, logFile);
  state.connect = { pid, match: connectPropertiesFile(paths), logFile, pluginDiscovery: discovery };
  writeState(paths, state);
  await waitConnectReady(state.info.connectUrl, pid, state.connect.match, logFile);
  log(`kafka connect ready on ${state.info.connectUrl} (${secs(Date.now() - t)}, plugin.discovery=${discovery})`);
}

async function registerConnectors(state: StackState, paths: StackPaths, present: ServiceDefinition[], log: Logger): Promise<void> {
  for (const def of present) {
    if (!def.connector) continue;
    const config = nativeConnectorConfig(loadConnectorFile(paths.connectorsDir, def.connector), state.ports.pg);
    if (config['database.dbname'] !== def.database) {
      throw new StackError(`${def.connector}.json captures database ${config['database.dbname']}, but ${def.name} owns ${def.database}`);
    }
    const slot = config['slot.name'];
    if (!slot) throw new StackError(`${def.connector}.json has no slot.name`);
    await registerConnector(state.info.connectUrl, def.connector, config);
    state.connectors.push({ name: def.connector, service: def.name, slot });
  }
  writeState(paths, state);
  await waitAllConnectors(state, log);
}

async function waitAllConnectors(state: StackState, log: Logger): Promise<void> {
  const t = Date.now();
  await Promise.all(
    state.connectors.map((c) =>
      waitConnectorStreaming({ url: state.info.connectUrl, name: c.name, slot: c.slot, pgPort: state.ports.pg, logFile: state.connect?.logFile ?? '' }),
    ),
  );
  if (state.connectors.length) log(`connectors streaming: ${state.connectors.map((c) => c.name).join(', ')} (${secs(Date.now() - t)})`);
}

/** Starts services in waves (services.ts `startsAfter`: processor-sim before payment-service), each wave concurrently. */
async function startServices(state: StackState, paths: StackPaths, defs: ServiceDefinition[], log: Logger): Promise<void> {
  for (const wave of startWaves(defs)) await startServiceWave(state, paths, wave, log);
}

async function startServiceWave(state: StackState, paths: StackPaths, defs: ServiceDefinition[], log: Logger): Promise<void> {
  await Promise.all(
    defs.map(async (def) => {
      const t = Date.now();
      const info = state.info.services[def.name];
      if (!info) throw new StackError(`${def.name} is not part of this stack`);
      const main = path.join(paths.repoRoot, assertBuilt(paths.repoRoot, def, 'main'));
      const logFile = logFileOf(paths, def.name);
      const child = spawnLogged(process.execPath, [main], { cwd: paths.repoRoot, env: { ...process.env, ...info.env }, logFile, detached: true });
      if (child.pid === undefined) throw new StackError(`could not spawn ${def.name}`);
      state.services[def.name] = { pid: child.pid, match: main, logFile, port: info.port };
      writeState(paths, state);
      await waitHealthy(def.name, info.url, child.pid, logFile);
      log(`${def.name} ready on ${info.url} (${secs(Date.now() - t)})`);
    }),
  );
}

async function waitHealthy(name: string, url: string, pid: number, logFile: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${name} GET /health`,
    async () => ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).status === 200 ? true : undefined),
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

/** Stops services → Connect → Kafka → PostgreSQL, each by its recorded pid; removes state.json. */
async function stopFromState(state: StackState, paths: StackPaths, log: Logger): Promise<void> {
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
async function stopOrphanPostgres(paths: StackPaths, log: Logger): Promise<void> {
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

/** The running stack's info, only if PostgreSQL, Kafka and Connect are all alive and it finished starting. */
export function readStackInfo(profile?: string): StackInfo | undefined {
  const state = readState(stackPaths(resolveProfile(profile)));
  return state && state.readyMs !== undefined && infraAlive(state) ? state.info : undefined;
}

export function readStackState(profile?: string): StackState | undefined {
  return readState(stackPaths(resolveProfile(profile)));
}

/** Stop, then delete the profile's runtime dir (data, logs, state) but keep the shared jar cache. */
export async function resetStack(profile?: string, log: Logger = defaultLogger): Promise<void> {
  const paths = stackPaths(resolveProfile(profile));
  await stopStack(profile, log);
  wipeRuntime(paths);
}

/** The cluster is ours alone, so deleting its data dir is the whole cleanup (slots, publications included). */
function wipeRuntime(paths: StackPaths): void {
  rmSync(paths.runtimeDir, { recursive: true, force: true });
  rmSync(path.dirname(paths.pgFallbackRoot), { recursive: true, force: true });
}

// ---------------------------------------------------------------- status

export interface ComponentStatus {
  component: string;
  pid?: number;
  alive: boolean;
  address: string;
  detail: string;
  rssMiB?: number;
  logFile?: string;
}

export async function stackStatus(profile?: string): Promise<{ state?: StackState; components: ComponentStatus[]; healthy: boolean }> {
  const state = readStackState(profile);
  if (!state) return { components: [], healthy: false };
  const row = (component: string, rec: { pid: number; match: string; logFile: string } | undefined, address: string): ComponentStatus => {
    const alive = recordAlive(rec);
    return { component, pid: rec?.pid, alive, address, detail: alive ? 'running' : 'not running', rssMiB: alive ? rssMiB(rec?.pid) : undefined, logFile: rec?.logFile };
  };
  const components = [
    row('postgres', state.pg, `${HOST}:${state.ports.pg}`),
    row('kafka', state.kafka, state.info.kafka.brokers.join(',')),
    row('connect', state.connect, state.info.connectUrl),
    row('smtp sink', state.smtpSink, state.info.smtp ? `${state.info.smtp.host}:${state.info.smtp.port}, API ${state.info.smtp.apiUrl}` : ''),
  ];
  for (const c of state.connectors) {
    let detail = 'unknown (connect down)';
    let alive = false;
    if (recordAlive(state.connect)) {
      try {
        const st = await connectorStatus(state.info.connectUrl, c.name);
        alive = st?.connector.state === 'RUNNING' && st.tasks.every((t) => t.state === 'RUNNING');
        detail = statusSummary(st);
      } catch (err) {
        detail = `status unavailable: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    if (recordAlive(state.pg)) {
      const slot = await replicationSlot(state.ports.pg, c.slot).catch(() => undefined);
      detail += `; slot ${c.slot} ${slot ? (slot.active ? 'active' : 'inactive') : 'missing'}`;
      alive = alive && slot?.active === true;
    }
    components.push({ component: `connector ${c.name}`, alive, address: `${c.service} outbox`, detail });
  }
  for (const [name, rec] of Object.entries(state.services)) components.push(row(name, rec, `http://${HOST}:${rec.port}`));
  if (state.readyMs === undefined) components.push({ component: 'stack', alive: false, address: '', detail: 'start-up did not complete' });
  return { state, components, healthy: components.every((c) => c.alive) };
}

// ---------------------------------------------------------------- helpers for tests

function stateFor(info: StackInfo): { state: StackState; paths: StackPaths } {
  const paths = stackPaths(info.profile);
  const state = readState(paths);
  if (!state) throw new StackError(`no ${info.profile} stack is running (no ${paths.stateFile})`);
  return { state, paths };
}

/** Stops the Connect worker (SIGTERM: it commits offsets and releases the replication slots). */
export async function stopConnect(info: StackInfo, log: Logger = () => undefined): Promise<void> {
  const { state } = stateFor(info);
  if (state.connect) await stopPid(state.connect.pid, { match: state.connect.match, timeoutMs: 60_000, label: 'kafka connect', log });
  // Wait for PostgreSQL to see the walsenders go, so a test's "while Connect is down" really is.
  await waitFor(
    'replication slots to become inactive',
    async () => {
      for (const c of state.connectors) if ((await replicationSlot(state.ports.pg, c.slot))?.active) return undefined;
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** Starts the Connect worker again and waits until every connector streams (RUNNING + slot active). */
export async function startConnect(info: StackInfo, log: Logger = () => undefined): Promise<void> {
  const { state, paths } = stateFor(info);
  if (recordAlive(state.connect)) return;
  await launchConnect(state, paths, log);
  await waitAllConnectors(state, log);
}

export async function restartConnect(info: StackInfo, log: Logger = () => undefined): Promise<void> {
  await stopConnect(info, log);
  await startConnect(info, log);
}

export interface ServiceProcess {
  pid: number;
  name: string;
  url: string;
  /** Sends `signal` (default SIGTERM), waits for exit (SIGKILL after 15 s). */
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
 * state.json: the caller owns it), with the stack's env for it plus `extraEnv`. Waits for
 * GET /health unless `waitReady: false`.
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
  const child = spawnLogged(process.execPath, [main], { cwd: repoRoot, env: { ...process.env, ...env }, logFile, detached: false });
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
    waitForExit: () => exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
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
      await waitHealthy(def.name, url, pid, logFile, opts.timeoutMs);
    } catch (err) {
      await handle.kill();
      throw err;
    }
  }
  return handle;
}
