// The nemesis (Jepsen's word): one object that breaks a running stack on purpose and heals it, for
// the failure tests and the fault campaign. It finds the stack the way `stack status` does, from
// the profile's state.json, so it works on a stack `up` started in another process, and on the
// service processes a test started itself.
import { Logger } from '../logging';
import { superuserUrl, withClient } from '../postgres';
import { StackError, resolveProfile, stackPaths } from '../profile';
import { ServiceProcess } from '../service-process';
import { findService } from '../services';
import { StackInfo, readState } from '../state';
import { CarrierFaults, ProcessorFaults, SmtpFaults } from './http-faults';
import { FaultTarget, ServiceProcessTarget, StackComponentTarget, StackContext, StackServiceTarget } from './targets';

/** The infrastructure components the nemesis can act on by name (services go by their registry name). */
export const COMPONENTS = ['connect', 'kafka', 'smtp-sink'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export class Nemesis {
  readonly connect: FaultTarget;
  readonly kafka: FaultTarget;
  readonly smtpSink: FaultTarget;
  private readonly ctx: StackContext;

  private constructor(
    readonly info: StackInfo,
    log: Logger,
  ) {
    this.ctx = { paths: stackPaths(info.profile), log };
    this.connect = new StackComponentTarget('connect', this.ctx);
    this.kafka = new StackComponentTarget('kafka', this.ctx);
    this.smtpSink = new StackComponentTarget('smtp-sink', this.ctx);
  }

  /** The SMTP server's refusals (the stack's sink). */
  get smtp(): SmtpFaults {
    if (!this.info.smtp) throw new StackError(`the ${this.info.profile} stack runs no SMTP sink (started before it existed: restart the stack)`);
    return new SmtpFaults(this.info.smtp.apiUrl);
  }

  /**
   * The nemesis of a profile's running stack (default: $PAYSTATE_PROFILE, else dev), or of the stack
   * a StackInfo describes. Only state.json is needed: it works while Connect or the broker is down.
   */
  static forStack(stack?: string | StackInfo, opts: { log?: Logger } = {}): Nemesis {
    const profile = typeof stack === 'object' ? stack.profile : resolveProfile(stack);
    const paths = stackPaths(profile);
    const state = readState(paths);
    if (!state) throw new StackError(`no ${profile} stack is running (no ${paths.stateFile})`);
    return Nemesis.of(state.info, opts);
  }

  /** The nemesis of the stack `info` describes; its state.json is read only when a target is acted on. */
  static of(info: StackInfo, opts: { log?: Logger } = {}): Nemesis {
    return new Nemesis(info, opts.log ?? (() => undefined));
  }

  /** A service as the stack's `up` started it (recorded in state.json), by registry name or key. */
  service(name: string): FaultTarget {
    const def = findService(name);
    if (!this.info.services[def.name]) throw new StackError(`${def.name} is not part of the ${this.info.profile} stack (apps/${def.name} missing?)`);
    return new StackServiceTarget(def, this.ctx);
  }

  /** A service process the caller started (startServiceProcess); `restart()` starts a new one with the same env. */
  process(handle: ServiceProcess): ServiceProcessTarget {
    return new ServiceProcessTarget(handle, this.info);
  }

  /** Any target by name: `connect`, `kafka`, `smtp-sink`, or a service started by `up`. */
  target(name: string): FaultTarget {
    switch (name) {
      case 'connect':
        return this.connect;
      case 'kafka':
        return this.kafka;
      case 'smtp-sink':
        return this.smtpSink;
      default:
        try {
          return this.service(name);
        } catch (err) {
          if (err instanceof StackError && err.message.startsWith('unknown service')) {
            throw new StackError(`unknown nemesis target "${name}" (known: ${COMPONENTS.join(', ')}, or a service: ${Object.keys(this.info.services).join(', ')})`);
          }
          throw err;
        }
    }
  }

  /** processor-sim's fault admin; `url` for a simulator the test started elsewhere. */
  processor(url?: string): ProcessorFaults {
    const base = url ?? this.info.services['processor-sim']?.url;
    if (!base) throw new StackError(`processor-sim is not part of the ${this.info.profile} stack`);
    return new ProcessorFaults(base);
  }

  /** fulfilment-service's simulated carrier; `apiKey` (stock:write) or one made through its CLI. */
  carrier(opts: { url?: string; apiKey?: string } = {}): CarrierFaults {
    return new CarrierFaults(this.info, this.ctx.paths.repoRoot, opts);
  }

  /**
   * Kills the service's own connections to its database (pg_terminate_backend, by its role), as a
   * PostgreSQL failover or a network cut would; Debezium's (the superuser's) are left alone. Resolves
   * to how many were killed.
   */
  async killDatabaseConnections(service: string): Promise<number> {
    const def = findService(service);
    return withClient(superuserUrl(this.info.pg.port), async (c) => {
      const res = await c.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE datname = $1 AND usename = $2 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [def.database, def.role],
      );
      return res.rows.filter((r) => r.killed).length;
    });
  }
}
