// `npm run ops -- <command>` / `paystate-ops <command>`: the operator's tool (SPEC §9, docs/runbook.md).
import { CommanderError } from 'commander';
import { makeAction } from './command';
import { EXIT } from './errors';
import { buildProgram } from './program';

const program = buildProgram(
  makeAction((code) => {
    process.exitCode = code;
  }),
);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; a usage error has already been printed
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return;
  }
  process.stderr.write(`error: ${String(error)}\n`);
  process.exitCode = EXIT.bug;
});
