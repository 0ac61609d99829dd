import type { CommandModule } from '../command';
import { table } from '../output';

/** `ops audit`: the latest dangerous commands run with --execute, who ran them, why and how they ended. */
export const auditCommands: CommandModule = (program, action) => {
  program
    .command('audit')
    .description('list the latest audited commands (who, when, why, outcome)')
    .option('--limit <n>', 'how many', '20')
    .action(
      action(async (ctx, opts: { limit: string }) => {
        const rows = await ctx.audit.recent(Number(opts.limit) || 20);
        ctx.out.result(rows, (r) =>
          table(
            ['started', 'command', 'actor', 'outcome', 'reason'],
            r.map((x) => [x.started_at.toISOString(), x.command, x.actor, x.outcome, x.reason]),
          ),
        );
      }),
    );
};
