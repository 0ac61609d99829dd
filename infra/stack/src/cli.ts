// `npm start` / `npm run stack:*`: the native stack from the command line.
//   up [--detach] [--no-services | --services a,b]   down   status   logs [component] [-f]   reset
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { ProfileName, StackError, resolveProfile, stackPaths } from './profile';
import { sleep, tailFile } from './processes';
import { defaultLogger } from './logging';
import { startStack } from './start';
import { readStackState, stackStatus } from './status';
import { resetStack, stopStack } from './stop';
import { StackState, readState, recordAlive } from './state';

const program = new Command('stack')
  .description('Native paystate stack: PostgreSQL, Kafka (KRaft), Kafka Connect + Debezium, migrations and services')
  .option('-p, --profile <name>', 'dev | test (default: $PAYSTATE_PROFILE, else dev)')
  .showHelpAfterError();

function profileOf(cmd: Command): ProfileName {
  return resolveProfile(cmd.optsWithGlobals<{ profile?: string }>().profile);
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function summary(state: StackState): string {
  const rows: string[][] = [];
  const add = (component: string, address: string, logFile: string | undefined): void => {
    rows.push([component, address, logFile ? rel(logFile) : '']);
  };
  add('postgres', `${state.info.pg.superuserUrl.replace(/:[^:@/]+@/, '@')}`, state.pg?.logFile);
  add('kafka', state.info.kafka.brokers.join(','), state.kafka?.logFile);
  add('connect', state.info.connectUrl, state.connect?.logFile);
  if (state.info.smtp) add('smtp sink', `smtp://${state.info.smtp.host}:${state.info.smtp.port}, API ${state.info.smtp.apiUrl}`, state.smtpSink?.logFile);
  for (const c of state.connectors) add(`connector ${c.name}`, `slot ${c.slot} (${c.service})`, state.connect?.logFile);
  for (const [name, svc] of Object.entries(state.info.services)) {
    const rec = state.services[name];
    const migrateLog = path.join(state.info.logsDir, `migrate-${name}.log`);
    add(name, rec ? svc.url : `${svc.url} (not started)`, rec?.logFile ?? migrateLog);
  }
  for (const name of state.skippedServices) add(name, '(not in this checkout)', undefined);
  const ready = state.readyMs !== undefined ? `ready in ${(state.readyMs / 1000).toFixed(1)} s` : 'not ready';
  return `${table(['component', 'address', 'log'], rows)}\n\n${state.profile} stack ${ready} (runtime dir ${rel(state.info.runtimeDir)})`;
}

program
  .command('up')
  .description('start the stack (foreground until Ctrl-C unless --detach)')
  .option('-d, --detach', 'return once everything is ready, leaving it running')
  .option('--services <names>', 'start only these services (comma-separated)')
  .option('--no-services', 'infrastructure, migrations and connectors only')
  .action(async (opts: { detach?: boolean; services?: string | boolean }, cmd: Command) => {
    const profile = profileOf(cmd);
    const services = typeof opts.services === 'string' ? opts.services.split(',').map((s) => s.trim()).filter(Boolean) : opts.services !== false;
    const abort = new AbortController();
    let interrupted = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (interrupted) {
        defaultLogger('still stopping, please wait');
        return;
      }
      interrupted = true;
      defaultLogger(`${sig}: stopping`);
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    let info;
    try {
      info = await startStack({ profile, services, ownerPid: opts.detach ? undefined : process.pid, signal: abort.signal });
    } catch (err) {
      if (interrupted) {
        process.exitCode = 130;
        return;
      }
      throw err;
    }
    const state = readStackState(profile);
    if (!state) throw new StackError('the stack started but its state.json is gone');
    if (info.reused) {
      const owner = state.ownerPid && state.ownerPid !== process.pid ? ` (foreground up, pid ${state.ownerPid})` : '';
      console.log(`\nthe ${profile} stack is already running${owner}, started ${state.startedAt}\n`);
      console.log(summary(state));
      return;
    }
    console.log(`\n${summary(state)}`);
    if (opts.detach) {
      console.log(`\nstop it with: npm run stack:down${profile === 'dev' ? '' : ` -- --profile ${profile}`}`);
      return;
    }
    console.log('\nCtrl-C stops everything');
    await watchUntilSignal(profile, () => interrupted);
    if (interrupted) {
      await stopStack(profile);
      defaultLogger('stopped');
    }
  });

/** Foreground: report components that die, notice `down` from another terminal, wait for Ctrl-C. */
async function watchUntilSignal(profile: ProfileName, interrupted: () => boolean): Promise<void> {
  const paths = stackPaths(profile);
  const reported = new Set<string>();
  while (!interrupted()) {
    await sleep(500);
    const state = readState(paths);
    if (!state) {
      defaultLogger('the stack was stopped from elsewhere (stack down)');
      return;
    }
    if (state.stopping) continue;
    const recs = { postgres: state.pg, kafka: state.kafka, connect: state.connect, 'smtp sink': state.smtpSink, ...state.services };
    for (const [name, rec] of Object.entries(recs)) {
      if (rec && !recordAlive(rec) && !reported.has(name)) {
        reported.add(name);
        defaultLogger(`${name} (pid ${rec.pid}) is no longer running; see ${rel(rec.logFile)}`);
      }
    }
  }
}

program
  .command('down')
  .description('stop everything the stack started')
  .action(async (_opts: unknown, cmd: Command) => {
    const profile = profileOf(cmd);
    const stopped = await stopStack(profile);
    defaultLogger(stopped ? `${profile} stack stopped` : `no ${profile} stack was running`);
  });

program
  .command('status')
  .description('per component: pid, liveness, address, memory; connector and slot state (exit 1 unless all is running)')
  .action(async (_opts: unknown, cmd: Command) => {
    const profile = profileOf(cmd);
    const { state, components, healthy } = await stackStatus(profile);
    if (!state) {
      console.log(`no ${profile} stack is running`);
      process.exitCode = 1;
      return;
    }
    console.log(
      table(
        ['component', 'pid', 'state', 'address', 'rss', 'detail'],
        components.map((c) => [
          c.component,
          c.pid !== undefined ? String(c.pid) : '',
          c.alive ? 'up' : 'DOWN',
          c.address,
          c.rssMiB !== undefined ? `${c.rssMiB} MiB` : '',
          c.detail,
        ]),
      ),
    );
    const owner = state.ownerPid ? `, foreground up pid ${state.ownerPid}` : ', detached';
    console.log(`\n${profile} stack started ${state.startedAt}${owner}: ${healthy ? 'healthy' : 'NOT healthy'}`);
    if (!healthy) process.exitCode = 1;
  });

program
  .command('logs')
  .description('show a component log (postgres, kafka, connect, smtp-sink, maven, <service>, migrate-<service>); all when omitted')
  .argument('[component]')
  .option('-f, --follow', 'keep printing new lines')
  .option('-n, --lines <n>', 'lines of history', '50')
  .action(async (component: string | undefined, opts: { follow?: boolean; lines: string }, cmd: Command) => {
    const { logsDir } = stackPaths(profileOf(cmd));
    const available = existsSync(logsDir) ? readdirSync(logsDir).filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -4)).sort() : [];
    if (component !== undefined && !available.includes(component)) {
      throw new StackError(`no log "${component}" in ${rel(logsDir)} (available: ${available.join(', ') || 'none'})`);
    }
    const names = component ? [component] : available;
    const lines = Number(opts.lines) || 50;
    for (const name of names) {
      const text = tailFile(path.join(logsDir, `${name}.log`), lines);
      if (!component) console.log(`==> ${name} <==`);
      if (text) console.log(text);
    }
    if (opts.follow) await follow(names.map((n) => path.join(logsDir, `${n}.log`)), !component);
  });

/** tail -F for one or more files (polling: portable, and logs are appended by other processes). */
async function follow(files: string[], prefix: boolean): Promise<never> {
  const offsets = new Map(files.map((f) => [f, existsSync(f) ? statSync(f).size : 0]));
  for (;;) {
    for (const f of files) {
      const size = existsSync(f) ? statSync(f).size : 0;
      let from = offsets.get(f) ?? 0;
      if (size < from) from = 0; // rotated or truncated
      if (size > from) {
        const fd = openSync(f, 'r');
        const buf = Buffer.alloc(size - from);
        readSync(fd, buf, 0, buf.length, from);
        closeSync(fd);
        const text = buf.toString('utf8');
        const name = path.basename(f, '.log');
        process.stdout.write(prefix ? text.replace(/^(?=.)/gm, `${name} | `) : text);
      }
      offsets.set(f, size);
    }
    await sleep(300);
  }
}

program
  .command('reset')
  .description('stop, then delete the profile runtime dir (databases, topics, logs); keeps the jar cache')
  .action(async (_opts: unknown, cmd: Command) => {
    const profile = profileOf(cmd);
    await resetStack(profile);
    defaultLogger(`${profile} stack reset: ${rel(stackPaths(profile).runtimeDir)} removed (jar cache kept)`);
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof StackError) {
      console.error(`stack: ${err.message}`);
      if (err.details) console.error(err.details);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  }
  // Explicit exit: idle HTTP keep-alive sockets must not hold `up --detach` open.
  process.exit(process.exitCode ?? 0);
}

void main();
