import { Command } from 'commander';
import type { Action, CommandModule } from '../command';
import type { DangerFlags } from '../context';
import { connectorFacts, resyncCdc } from '../recovery/cdc';
import { connectorCommand } from './connector';
import { assertStopped } from '../recovery/service-state';

/**
 * `ops connector resync <service>`: repairs CDC after the service's database was restored. Lives under
 * the `connector` parent (`connectorCommand(program)` in connector.ts).
 */
export function registerConnectorResync(parent: Command, action: Action): void {
  parent
    .command('resync')
    .description("repair CDC after the service's database was restored: stop the connector, drop its old slot, ensure the publication, delete its offsets, resume it and wait until it streams from a new slot (refused while the service runs)")
    .argument('<service>', 'the service whose outbox connector to resync')
    .option('--execute', 'do it (default: a dry run that prints the plan)')
    .option('--dry-run', 'print the plan only (the default)')
    .option('--reason <why>', 'why (written to the audit log; required with --execute)')
    .action(
      action(async (ctx, service: string, opts: DangerFlags) => {
        const svc = ctx.service(service);
        const facts = await connectorFacts(ctx, svc);
        await assertStopped(ctx, svc, 'connector resync');
        const plan = {
          summary: `resync ${facts.connector} of ${svc.name}: stop it, drop slot ${facts.slot} (it belongs to the database before the restore), ensure publication ${facts.publication}, delete its offsets, resume it and wait until its new slot is active`,
          detail: { service: svc.name, ...facts },
        };
        const outcome = await ctx.dangerous('connector resync', opts, { service: svc.name }, plan, async () => resyncCdc(ctx, svc, (m) => ctx.out.info(m)));
        if (!outcome.executed) {
          ctx.out.result({ executed: false, plan: plan.detail }, () => plan.summary);
          return;
        }
        ctx.out.result({ executed: true, auditId: outcome.auditId, ...outcome.result }, (r) => `${facts.connector} streams again (slot ${facts.slot} active); ${svc.name} may write again\naudit ${r.auditId}`);
      }),
    );
}

/** Adds `resync` to the `connector` parent that connector.ts creates. */
export const connectorResyncCommands: CommandModule = (program, action) => {
  registerConnectorResync(connectorCommand(program), action);
};
