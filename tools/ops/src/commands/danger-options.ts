import type { Command } from 'commander';

/** The flags of a dangerous command (ctx.dangerous): a dry run unless --execute, which needs --reason. */
export const withDangerOptions = (cmd: Command): Command =>
  cmd
    .option('--execute', 'do it (without it: a dry run that prints the plan and changes nothing)')
    .option('--dry-run', 'print the plan and change nothing (the default)')
    .option('--reason <why>', 'why (required with --execute; written to the audit log)');
