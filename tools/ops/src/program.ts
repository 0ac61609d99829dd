import { Command } from 'commander';
import type { Action } from './command';
import { COMMANDS } from './commands';

/**
 * The whole command tree. main.ts runs it; the runbook check parses every command the runbook
 * shows against it, so a documented command that does not exist fails a test.
 */
export function buildProgram(action: Action): Command {
  const program = new Command('paystate-ops')
    .description('Operate paystate: lag, sagas, dead letters, replay, connectors, recovery. Exit codes: tools/ops/README.md')
    .option('-p, --profile <name>', 'native stack profile: dev | test (default: $PAYSTATE_PROFILE, else dev)')
    .option('--brokers <list>', "Kafka bootstrap servers (default: the stack's, or $KAFKA_BROKERS)")
    .option('--connect-url <url>', "Kafka Connect REST URL (default: the stack's, or $PAYSTATE_CONNECT_URL)")
    .option('--pg-url <url>', "PostgreSQL superuser URL (default: the stack's, or $PAYSTATE_PG_SUPERUSER_URL)")
    .option('--json', 'print the result as one JSON document on stdout')
    .option('-y, --yes', 'answer yes to the confirmation of a dangerous command')
    .option('--no-input', 'never prompt (a dangerous command without --yes is then refused)')
    .option('--actor <name>', 'who is acting, for the audit log (default: $PAYSTATE_OPS_ACTOR, else user@host)')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program, action);
  return program;
}
