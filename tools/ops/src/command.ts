import { Command } from 'commander';
import { OpsContext, GlobalFlags } from './context';
import { EXIT, ExitCode, OpsError, describe } from './errors';

/**
 * How a command module plugs in: `register(program, action)` adds its commands, and wraps each
 * handler in `action(...)`, which builds the context from the global flags, turns errors into the
 * documented exit codes and closes every client however the handler ends.
 */
export type Action = <A extends unknown[]>(handler: (ctx: OpsContext, ...args: A) => Promise<ExitCode | void>) => (...args: [...A, Command]) => Promise<void>;

export type CommandModule = (program: Command, action: Action) => void;

export function makeAction(onExit: (code: ExitCode) => void): Action {
  return (handler) =>
    async (...args) => {
      const cmd = args[args.length - 1] as Command;
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      let ctx: OpsContext | undefined;
      let code: ExitCode = EXIT.ok;
      try {
        ctx = new OpsContext(flags);
        code = (await handler(ctx, ...(args.slice(0, -1) as never))) ?? EXIT.ok;
      } catch (error) {
        code = report(error, flags.json === true);
      } finally {
        await ctx?.close();
      }
      onExit(code);
    };
}

/** Prints an error the way the operator needs it (what happened, what to do) and gives its exit code. */
export function report(error: unknown, json: boolean): ExitCode {
  const known = error instanceof OpsError;
  const code = known ? error.exitCode : EXIT.bug;
  const message = known ? error.message : `unexpected error: ${describe(error)}`;
  const hint = known ? error.hint : 'this is a bug in ops; please report it with the command you ran';
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: { message, hint, exitCode: code, ...(known && error.details !== undefined ? { details: error.details } : {}) } }, null, 2)}\n`);
  } else {
    process.stderr.write(`error: ${message}\n${hint ? `  ${hint}\n` : ''}`);
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  }
  return code;
}
