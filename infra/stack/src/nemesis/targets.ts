// What the nemesis can crash, stop, pause and bring back: a component of a running stack, found
// through its state.json record (a service started by `up`, Kafka Connect, the broker, the SMTP
// sink), or a service process a test started itself (ServiceProcess).
import { launchConnect, waitAllConnectors } from '../connect';
import { DOMAIN_TOPICS, findJava, launchKafka, waitTopicsServed } from '../kafka';
import { Logger } from '../logging';
import { replicationSlot } from '../postgres';
import { StackError, StackPaths } from '../profile';
import { sleep, stopPid, waitFor } from '../processes';
import { startServiceWave } from '../service-launch';
import { ServiceProcess, startServiceProcess } from '../service-process';
import { ServiceDefinition } from '../services';
import { launchSmtpSink } from '../smtp-sink/launch';
import { ProcessRecord, StackInfo, StackState, readState } from '../state';
import { killPid, pausePid, requireAlive, resumePid, runState } from './signals';

export interface RestartOptions {
  /** How it goes down: SIGKILL (a crash, the default) or SIGTERM (a graceful stop). */
  signal?: 'SIGKILL' | 'SIGTERM';
  /** How long it stays down before it is started again. */
  downMs?: number;
}

/** One process the nemesis acts on. Every method resolves once the effect is visible (gone, paused, serving). */
export interface FaultTarget {
  readonly name: string;
  /** The pid while it runs (paused or not). */
  pid(): number | undefined;
  running(): boolean;
  paused(): boolean;
  /** SIGKILL, like a crash: no shutdown hook runs. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within the component's grace period. */
  terminate(): Promise<void>;
  /** SIGSTOP: alive, holding its sockets and locks, answering nothing. */
  pause(): Promise<void>;
  /** SIGCONT. */
  resume(): Promise<void>;
  /** Starts it if it is not running, and waits until it serves again. */
  start(): Promise<void>;
  /** Down (kill by default), `downMs` of nothing, then start. */
  restart(opts?: RestartOptions): Promise<void>;
}

/** The common part: signals to the recorded pid; subclasses say how to find it and how to start it. */
abstract class ProcessTarget implements FaultTarget {
  protected constructor(
    readonly name: string,
    private readonly graceMs: number,
  ) {}

  protected abstract current(): { pid: number; match?: string } | undefined;
  protected abstract launch(): Promise<void>;
  /** After it went down, by either signal: wait until the rest of the system sees it gone. */
  protected async afterDown(): Promise<void> {}

  pid(): number | undefined {
    const rec = this.current();
    return rec && runState(rec.pid, rec.match) !== 'gone' ? rec.pid : undefined;
  }

  running(): boolean {
    return this.pid() !== undefined;
  }

  paused(): boolean {
    const rec = this.current();
    return rec !== undefined && runState(rec.pid, rec.match) === 'paused';
  }

  private alive(): { pid: number; match?: string } {
    const rec = this.current();
    requireAlive(rec?.pid, rec?.match, this.name);
    return rec as { pid: number; match?: string };
  }

  async kill(): Promise<void> {
    const rec = this.alive();
    await killPid(rec.pid, rec.match, this.name);
    await this.afterDown();
  }

  async terminate(): Promise<void> {
    const rec = this.alive();
    await stopPid(rec.pid, { match: rec.match, timeoutMs: this.graceMs, label: this.name });
    await this.afterDown();
  }

  async pause(): Promise<void> {
    const rec = this.alive();
    await pausePid(rec.pid, rec.match, this.name);
  }

  async resume(): Promise<void> {
    const rec = this.alive();
    await resumePid(rec.pid, rec.match, this.name);
  }

  async start(): Promise<void> {
    if (this.running()) return;
    await this.launch();
  }

  async restart(opts: RestartOptions = {}): Promise<void> {
    if (this.running()) await (opts.signal === 'SIGTERM' ? this.terminate() : this.kill());
    if (opts.downMs) await sleep(opts.downMs);
    await this.start();
  }
}

/**
 * Starts rewrite state.json as a whole (the launchers record as they go, so a crash mid-start
 * leaves a record to clean up): one at a time per stack in this process, so two never overwrite
 * each other's record. Signals need no lock.
 */
const startQueues = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (startQueues.get(key) ?? Promise.resolve()).then(fn, fn);
  startQueues.set(key, run.catch(() => undefined));
  return run;
}

export interface StackContext {
  paths: StackPaths;
  log: Logger;
}

function stateOf(ctx: StackContext): StackState {
  const state = readState(ctx.paths);
  if (!state) throw new StackError(`no stack is running here (no ${ctx.paths.stateFile})`);
  return state;
}

type Component = 'connect' | 'kafka' | 'smtp-sink';

/** Kafka Connect, the broker or the SMTP sink of a running stack. */
export class StackComponentTarget extends ProcessTarget {
  constructor(
    readonly component: Component,
    private readonly ctx: StackContext,
  ) {
    // Connect commits its source offsets on SIGTERM and the broker flushes its logs: give them time.
    super(component === 'smtp-sink' ? 'smtp sink' : component === 'connect' ? 'kafka connect' : 'kafka', component === 'smtp-sink' ? 10_000 : 60_000);
  }

  private record(state: StackState): ProcessRecord | undefined {
    return this.component === 'connect' ? state.connect : this.component === 'kafka' ? state.kafka : state.smtpSink;
  }

  protected current(): ProcessRecord | undefined {
    return this.record(stateOf(this.ctx));
  }

  protected override async afterDown(): Promise<void> {
    if (this.component !== 'connect') return;
    // PostgreSQL must see the walsenders go, so "while Connect is down" really is.
    const state = stateOf(this.ctx);
    await waitFor(
      'replication slots to become inactive',
      async () => {
        for (const c of state.connectors) if ((await replicationSlot(state.ports.pg, c.slot))?.active) return undefined;
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  protected launch(): Promise<void> {
    return serialised(this.ctx.paths.stateFile, async () => {
      const state = stateOf(this.ctx);
      switch (this.component) {
        case 'connect':
          await launchConnect(state, this.ctx.paths, this.ctx.log);
          await waitAllConnectors(state, this.ctx.log);
          return;
        case 'kafka':
          await launchKafka(state, this.ctx.paths, await findJava());
          await waitTopicsServed(state.info.kafka.brokers, DOMAIN_TOPICS);
          return;
        case 'smtp-sink':
          await launchSmtpSink(state, this.ctx.paths, this.ctx.log);
          return;
      }
    });
  }
}

/** A service of a running stack, as `up` started it (recorded in state.json); started again the same way. */
export class StackServiceTarget extends ProcessTarget {
  constructor(
    private readonly def: ServiceDefinition,
    private readonly ctx: StackContext,
  ) {
    super(def.name, 15_000);
  }

  protected current(): ProcessRecord | undefined {
    return stateOf(this.ctx).services[this.def.name];
  }

  protected launch(): Promise<void> {
    return serialised(this.ctx.paths.stateFile, () => startServiceWave(stateOf(this.ctx), this.ctx.paths, [this.def], this.ctx.log));
  }
}

/** A service process a test started (startServiceProcess): restarted with the same env, as a new child. */
export class ServiceProcessTarget extends ProcessTarget {
  private handle: ServiceProcess;

  constructor(
    handle: ServiceProcess,
    private readonly info: StackInfo,
  ) {
    super(handle.name, 15_000);
    this.handle = handle;
  }

  /** The live handle: a new one after each restart. */
  get process(): ServiceProcess {
    return this.handle;
  }

  protected current(): { pid: number } {
    return { pid: this.handle.pid };
  }

  override async kill(): Promise<void> {
    requireAlive(this.handle.pid, undefined, this.name);
    await this.handle.kill();
  }

  override async terminate(): Promise<void> {
    requireAlive(this.handle.pid, undefined, this.name);
    await this.handle.stop();
  }

  protected async launch(): Promise<void> {
    this.handle = await startServiceProcess(this.info, this.handle.name, { ...this.handle.extraEnv });
  }
}
