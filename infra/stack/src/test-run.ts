// `npm test` (and CI's .ci/run): build, static checks, unit tests, then the integration and
// end-to-end tiers against one real `test` stack started here and shared by every suite
// (PAYSTATE_TEST_STACK=1 tells the jest global setups to reuse it). The stack starts fresh, so no
// data of an earlier run leaks in (a test stack that is already running is reused as it is).
// Stops at the first failing phase; the stack is always stopped, also on Ctrl-C / SIGTERM.
//   npm test                      every phase
//   npm test -- --only int,e2e    a subset (build, static, unit, int, e2e, faults); the stack starts for int/e2e/faults
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { findRepoRoot, StackError } from './profile';
import { defaultLogger } from './logging';
import { startStack } from './start';
import { stopStack } from './stop';

const repoRoot = findRepoRoot();
const nxBin = path.join(repoRoot, 'node_modules', '.bin', 'nx');
const ci = process.env.CI === 'true' || process.env.CI === '1';

const PHASE_KEYS = ['build', 'static', 'unit', 'int', 'e2e', 'faults'] as const;
type PhaseKey = (typeof PHASE_KEYS)[number];

function selectedPhases(argv: string[]): Set<PhaseKey> {
  const i = argv.indexOf('--only');
  if (i < 0) return new Set(PHASE_KEYS);
  const wanted = (argv[i + 1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !(PHASE_KEYS as readonly string[]).includes(w));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new StackError(`--only takes a comma-separated subset of ${PHASE_KEYS.join(',')}${unknown.length ? ` (unknown: ${unknown.join(',')})` : ''}`);
  }
  return new Set(wanted as PhaseKey[]);
}

interface PhaseResult {
  name: string;
  ms: number;
  ok: boolean;
  note?: string;
}

let current: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;
/** Aborts a stack start in progress (it then stops what it had started). */
const abort = new AbortController();

function nx(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // stream: jest's output appears in CI logs as it happens (not only after the task ends).
  const fullArgs = [...args, '--outputStyle=stream', ...(ci ? ['--skip-nx-cache'] : [])];
  console.log(`\n$ nx ${fullArgs.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(nxBin, fullArgs, { cwd: repoRoot, env, stdio: 'inherit' });
    current = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function main(): Promise<number> {
  const results: PhaseResult[] = [];
  let stackStarted = false;
  const env: NodeJS.ProcessEnv = { ...process.env };

  const phase = async (name: string, run: () => Promise<boolean | string>): Promise<boolean> => {
    if (interrupted) return false;
    const t = Date.now();
    let ok = false;
    let note: string | undefined;
    try {
      const r = await run();
      ok = r !== false;
      if (typeof r === 'string') note = r;
    } catch (err) {
      note = err instanceof Error ? err.message : String(err);
      console.error(`\n${name} failed: ${note}${err instanceof StackError && err.details ? `\n${err.details}` : ''}`);
    }
    results.push({ name, ms: Date.now() - t, ok: ok && !interrupted, note });
    return ok && !interrupted;
  };

  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = sig;
    abort.abort();
    console.error(`\n${sig}: stopping the current phase and the test stack`);
    current?.kill(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const nxPhase = (args: string[]) => async () => (await nx(args, env)) === 0;
  const only = selectedPhases(process.argv.slice(2));
  const phases: [PhaseKey | 'stack', string, () => Promise<boolean | string>][] = [
    ['build', 'build', nxPhase(['run-many', '-t', 'build', '--parallel=2'])],
    ['static', 'lint + typecheck', nxPhase(['run-many', '-t', 'lint', 'typecheck', '--parallel=2'])],
    ['unit', 'unit tests', nxPhase(['run-many', '-t', 'test', '--parallel=2'])],
    [
      'stack',
      'start test stack',
      async () => {
        const info = await startStack({ profile: 'test', services: false, fresh: true, signal: abort.signal });
        stackStarted = !info.reused;
        env.PAYSTATE_TEST_STACK = '1';
        return info.reused ? 'reused a running test stack, left running' : true;
      },
    ],
    ['int', 'integration tests', nxPhase(['run-many', '-t', 'test-int', '--parallel=1'])],
    ['e2e', 'e2e tests', nxPhase(['run-many', '-t', 'test-e2e', '--parallel=1'])],
    // last: the nemesis's own spec kills the shared stack's broker and Kafka Connect, and the clients
    // of a suite running after that could meet a cluster still settling
    ['faults', 'fault tests', nxPhase(['run-many', '-t', 'test-faults', '--parallel=1'])],
  ];
  const needsStack = only.has('int') || only.has('e2e') || only.has('faults');
  try {
    for (const [key, name, run] of phases) {
      if (key === 'stack' ? !needsStack : !only.has(key)) continue;
      if (!(await phase(name, run))) break; // later phases need the earlier ones green
    }
  } finally {
    if (stackStarted) {
      const t = Date.now();
      try {
        await stopStack('test', defaultLogger);
        results.push({ name: 'stop test stack', ms: Date.now() - t, ok: true });
      } catch (err) {
        results.push({ name: 'stop test stack', ms: Date.now() - t, ok: false, note: String(err) });
      }
    }
  }

  console.log('\nphase                 time      result');
  for (const r of results) {
    console.log(`${r.name.padEnd(20)}  ${`${(r.ms / 1000).toFixed(1)} s`.padStart(8)}  ${r.ok ? 'ok' : 'FAILED'}${r.note ? `  (${r.note})` : ''}`);
  }
  const failed = results.some((r) => !r.ok) || interrupted !== undefined;
  console.log(failed ? '\nnpm test: FAILED' : '\nnpm test: all phases passed');
  if (interrupted) return interrupted === 'SIGINT' ? 130 : 143;
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof StackError ? `npm test: ${err.message}` : err);
    process.exit(1);
  },
);
