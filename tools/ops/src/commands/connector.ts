import type { Command } from 'commander';
import type { CommandModule } from '../command';
import type { OpsContext, DangerFlags } from '../context';
import { ConnectorView, connectorView, replicationSlots, slotNameOf } from '../cdc/slots';
import { EXIT, ExitCode, OpsError, failure, usageError } from '../errors';
import { orUnknown, table } from '../output';
import { parseDuration } from '../replay/time';

/**
 * `ops connector status [service]` and `ops connector restart <service>`.
 *
 * Other modules add subcommands to the same parent (e.g. `connector resync`, in its own file):
 * call `connectorCommand(program)` from their CommandModule, which returns the one `connector`
 * command of the program, creating it on first use, and add to it. The order of the modules in
 * commands/index.ts does not matter.
 */
export function connectorCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'connector') ?? program.command('connector').description('Debezium connectors: status (tasks cross-checked with their replication slots), restart, resync after a restore');
}

/** The connector view of each service that has one (all when `services` is empty). */
export async function readConnectors(ctx: OpsContext, services: readonly string[] = []): Promise<ConnectorView[]> {
  const chosen = (services.length ? services.map((s) => ctx.service(s)) : Object.values(ctx.settings.services)).filter((s) => s.connector);
  if (services.length && chosen.length === 0) throw usageError(`${services.join(', ')} has no connector`, `services with one: ${Object.values(ctx.settings.services).flatMap((s) => (s.connector ? [s.name] : [])).join(', ')}`);
  const slots = await ctx.withSuperuser('postgres', replicationSlots);
  return Promise.all(
    chosen.map(async (svc) => {
      const name = svc.connector!;
      const [status, slotName] = await Promise.all([ctx.connect.status(name), slotNameOf(ctx.connect, name)]);
      return connectorView(svc.name, name, status, slotName, slotName ? slots.get(slotName) : undefined);
    }),
  );
}

export function renderConnectors(views: readonly ConnectorView[]): string {
  return table(
    ['service', 'connector', 'state', 'task', 'task state', 'health', 'slot', 'slot active', 'wal_status', 'trace'],
    views.flatMap((v) => {
      const slotCells = [v.slotName ?? 'unknown', v.slot ? String(v.slot.active) : 'unknown', orUnknown(v.slot?.walStatus)];
      if (v.tasks.length === 0) return [[v.service, v.connector, v.connectorState ?? 'not registered', '-', '-', v.registered ? 'no tasks' : 'not registered', ...slotCells, '']];
      return v.tasks.map((t) => [v.service, v.connector, v.connectorState ?? 'unknown', String(t.id), t.state, t.health, ...slotCells, t.traceHead ?? '']);
    }),
  );
}

interface RestartFlags extends DangerFlags {
  onlyFailed?: boolean;
  timeout: string;
}

export const connectorCommands: CommandModule = (program, action) => {
  const connector = connectorCommand(program);

  connector
    .command('status [service]')
    .description('each connector task with its state and trace head, and whether its replication slot is active (a RUNNING task with an inactive slot is retrying, not streaming); exit 1 unless all stream')
    .action(
      action(async (ctx, service: string | undefined): Promise<ExitCode> => {
        const views = await readConnectors(ctx, service ? [service] : []);
        ctx.out.result({ connectors: views, healthy: views.every((v) => v.streaming) }, (d) => [renderConnectors(d.connectors), ...d.connectors.flatMap((v) => v.problems.map((p) => `problem: ${p}`))].join('\n'));
        return views.every((v) => v.streaming) ? EXIT.ok : EXIT.failure;
      }),
    );

  connector
    .command('restart <service>')
    .description('restart a connector and its tasks (Connect REST restart?includeTasks=true), retrying while Connect rebalances, and wait until its task RUNS and its slot is active (dry run unless --execute)')
    .option('--only-failed', 'restart only the failed connector/tasks (onlyFailed=true)')
    .option('--timeout <duration>', 'how long to wait for it to stream (ISO-8601)', 'PT2M')
    .option('--execute', 'do it (default: a dry run that prints what would be restarted)')
    .option('--dry-run', 'print the plan only (the default)')
    .option('--reason <why>', 'why (required with --execute; written to the audit log)')
    .action(
      action(async (ctx, service: string, flags: RestartFlags): Promise<ExitCode> => {
        const timeoutMs = parseDuration(flags.timeout);
        const [before] = await readConnectors(ctx, [service]);
        if (!before) throw usageError(`${service} has no connector`);
        if (!before.registered) throw usageError(`${before.connector} is not registered in Kafka Connect`, 'the stack registers it at start (npm start / stack up); ops does not create connectors');
        const summary = `restart ${before.connector} (${service})${flags.onlyFailed ? ' — only its failed parts' : ' and all its tasks'}; now: ${before.connectorState}, tasks ${before.tasks.map((t) => `${t.id}=${t.health}`).join(', ') || 'none'}`;
        const outcome = await ctx.dangerous('connector restart', flags, { service, onlyFailed: flags.onlyFailed === true }, { summary, detail: { connector: before.connector, before } }, async () => {
          await withRebalanceRetry(() => ctx.connect.restart(before.connector, flags.onlyFailed === true), Math.min(timeoutMs, 60_000));
          const after = await waitStreaming(ctx, service, timeoutMs);
          if (!after.streaming) throw failure(`${before.connector} does not stream ${flags.timeout} after the restart`, 'see `ops connector status` and the Connect log', after);
          return after;
        });
        if (!outcome.executed) {
          ctx.out.result({ dryRun: true, connector: before }, (d) => renderConnectors([d.connector]));
          return EXIT.ok;
        }
        ctx.out.result({ dryRun: false, connector: outcome.result, auditId: outcome.auditId }, (d) => `${renderConnectors([d.connector])}\n${d.connector.connector} is streaming`);
        return EXIT.ok;
      }),
    );
};

/** Retries `call` while Connect answers 409 (a rebalance is in progress). */
async function withRebalanceRetry(call: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 3_000)) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof OpsError && error.exitCode === EXIT.busy) || Date.now() + delay > deadline) throw error;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Polls until the connector's tasks all RUN with an active slot (twice in a row), or the timeout. */
async function waitStreaming(ctx: OpsContext, service: string, timeoutMs: number): Promise<ConnectorView> {
  const started = Date.now();
  const bar = ctx.out.progress(`waiting for ${ctx.service(service).connector} to stream (s)`, Math.round(timeoutMs / 1000));
  let view: ConnectorView | undefined;
  let streak = 0;
  try {
    while (Date.now() - started < timeoutMs) {
      [view] = await readConnectors(ctx, [service]);
      streak = view?.streaming ? streak + 1 : 0;
      if (streak >= 2) return view!;
      bar.update(Math.round((Date.now() - started) / 1000));
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    bar.stop();
  }
  return view ?? (await readConnectors(ctx, [service]))[0]!;
}
