/**
 * Replay benchmark (a command, not a test): how fast a consumer group re-reads and deduplicates a
 * replayed range, through the real `ops replay` and a real service, on the running test stack
 * (`npx tsx infra/stack/src/cli.ts up --profile test --detach --no-services`; build first).
 *
 *   npm run bench:ops-replay -- [--orders 60] [--concurrency 6] [--group order-service]
 *
 * It starts the services, places N orders down the happy path and waits until every group has
 * consumed them, then stops the group's service, runs `ops replay --group G --to-time <run start>
 * --execute` (so exactly this run's records are replayed), starts the service again and waits with
 * ops. Printed: records replayed, processed / deduplicated / ignored, and records per second from
 * the moment the group's member joined to the moment it had committed the end of the range.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { moveGroupsToEnd } from '@paystate/testing';
import { CONSUMERS, Saga, SagaService, uniqueSku } from '../e2e/saga/support/saga';

const program = new Command()
  .option('--orders <n>', 'orders placed before the replay', '60')
  .option('--concurrency <n>', 'orders placed at once', '6')
  .option('--group <group>', 'the consumer group to replay', 'order-service')
  .parse();
const opts = program.opts<{ orders: string; concurrency: string; group: string }>();
const group = opts.group as SagaService;
if (!CONSUMERS[group]) {
  console.error(`unknown group ${group}: one of ${Object.keys(CONSUMERS).join(', ')}`);
  process.exit(64);
}

const repoRoot = path.resolve(__dirname, '..');

interface ReplayOutput {
  totals: { records: number; processed: number; deduplicated: number; deadLettered: number; ignored: number };
  catchUpSeconds: number;
  memberJoinedAfterSeconds: number | null;
}

/** Runs `ops replay` as its own process; resolves `verified` once the offsets are written, `done` with its JSON. */
function replay(args: string[]): { verified: Promise<void>; done: Promise<ReplayOutput> } {
  const tsx = require.resolve('tsx/cli', { paths: [repoRoot] });
  const child = spawn(process.execPath, [tsx, path.join(repoRoot, 'tools/ops/src/main.ts'), '--profile', 'test', '--json', 'replay', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAYSTATE_OPS_ACTOR: 'bench' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let markVerified: () => void = () => undefined;
  const verified = new Promise<void>((resolve) => (markVerified = resolve));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.includes('offsets written and verified')) markVerified();
  });
  const done = new Promise<ReplayOutput>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ReplayOutput) : reject(new Error(`ops replay exited ${code}:\n${err}\n${out}`)))),
  );
  return { verified: Promise.race([verified, done.then(() => undefined)]), done };
}

/** Records the service's consumer has handled since it started, whatever the outcome (paystate_messages_consumed_total). */
async function handledBy(saga: Saga, service: SagaService): Promise<number> {
  const text = await (await fetch(`${saga.url(service)}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('paystate_messages_consumed_total{') && l.includes(`group="${service}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function main(): Promise<void> {
  const saga = new Saga();
  for (const [g, topics] of Object.entries(CONSUMERS)) await moveGroupsToEnd(saga.brokers, [g], topics);
  const runStart = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  await saga.start();
  try {
    const n = Number(opts.orders);
    const sku = uniqueSku('bench-replay');
    await saga.setStock(sku, n * 2);
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < n; i += Number(opts.concurrency)) {
      const batch = await Promise.all(Array.from({ length: Math.min(Number(opts.concurrency), n - i) }, () => saga.placeOrder({ sku })));
      ids.push(...batch.map((b) => b.id));
    }
    for (const id of ids) await saga.waitOrder(id, 'to complete', (o) => o.status === 'COMPLETED', 300_000);
    await saga.caughtUp(300_000);
    console.log(`${n} orders completed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    await saga.stopService(group);
    const run = replay(['--group', group, '--to-time', runStart, '--execute', '--reason', 'bench:ops-replay', '--yes', '--no-input', '--timeout', 'PT15M']);
    await run.verified;
    await saga.startService(group);
    // the service's own count of records handled (any outcome), sampled every 100 ms: more precise
    // than ops' wait, which sees the group's offsets only as often as it auto-commits (1 s)
    const samples: { t: number; handled: number }[] = [];
    let finished = false;
    const r = await Promise.all([
      run.done.finally(() => (finished = true)),
      (async () => {
        while (!finished) {
          samples.push({ t: Date.now(), handled: await handledBy(saga, group).catch(() => 0) });
          await new Promise((res) => setTimeout(res, 100));
        }
      })(),
    ]).then(([out]) => out);
    const final = await handledBy(saga, group);
    const first = samples.findIndex((x) => x.handled > 0);
    const last = samples.findIndex((x) => x.handled >= final);
    const seconds = first >= 0 && last >= 0 ? (samples[last]!.t - samples[Math.max(0, first - 1)]!.t) / 1000 : NaN;
    console.log(`replayed ${group}: ${r.totals.records} records (processed ${r.totals.processed}, deduplicated ${r.totals.deduplicated}, dead-lettered ${r.totals.deadLettered}, ignored ${r.totals.ignored}); the service handled ${final}`);
    console.log(`ops: member joined ${r.memberJoinedAfterSeconds?.toFixed(1) ?? 'unknown'} s into the wait, caught up (committed) ${r.catchUpSeconds.toFixed(1)} s into it`);
    console.log(`replay throughput: ${(final / seconds).toFixed(0)} records/s replayed and deduplicated (${group}: ${final} records in ${seconds.toFixed(2)} s, first to last handled, sampled every 100 ms)`);
  } finally {
    await saga.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
