// `npm run ops -- <command>` / `paystate-ops <command>`: the operator's tool (SPEC §9, docs/runbook.md).
import { Command, CommanderError } from 'commander';
import { makeAction } from './command';
import { COMMANDS } from './commands';
import { EXIT } from './errors';

const program = new Command('paystate-ops')
  .description('Operate paystate: lag, sagas, dead letters, replay, connectors, recovery. Exit codes: tools/ops/README.md')
  .option('-p, --profile <name>', 'native stack profile: dev | test (default: $PAYSTATE_PROFILE, else dev)')
  .option('--brokers <list>', 'Kafka bootstrap servers (default: the stack\'s, or $KAFKA_BROKERS)')
  .option('--connect-url <url>', 'Kafka Connect REST URL (default: the stack\'s, or $PAYSTATE_CONNECT_URL)')
  .option('--pg-url <url>', 'PostgreSQL superuser URL (default: the stack\'s, or $PAYSTATE_PG_SUPERUSER_URL)')
  .option('--json', 'print the result as one JSON document on stdout')
  .option('-y, --yes', 'answer yes to the confirmation of a dangerous command')
  .option('--no-input', 'never prompt (a dangerous command without --yes is then refused)')
  .option('--actor <name>', 'who is acting, for the audit log (default: $PAYSTATE_OPS_ACTOR, else user@host)')
  .showHelpAfterError()
  .exitOverride();

const action = makeAction((code) => {
  process.exitCode = code;
});
for (const register of COMMANDS) register(program, action);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; a usage error has already been printed
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return;
  }
  process.stderr.write(`error: ${String(error)}\n`);
  process.exitCode = EXIT.bug;
});
