/**
 * Replay benchmark (a command, not a test): how fast a consumer group re-reads and deduplicates a
 * replayed range, through the real `ops replay` and a real service, on a running native stack
 * (`npx tsx infra/stack/src/cli.ts up --profile test --detach --no-services`; build first).
 *
 *   npm run bench:ops-replay -- [--orders 40] [--concurrency 4] [--group order-service] [--profile test]
 *
 * It starts the services, places N orders down the happy path and waits until every group has
 * consumed them, then stops the group's service, runs `ops replay --group G --to-time <run start>
 * --execute` (so exactly this run's records are replayed, all of them already handled), starts the
 * service again and lets ops wait. Printed: records replayed; processed / deduplicated / ignored
 * (ops' report); and records per second, from the first to the last record the service counts as
 * handled (its paystate_messages_consumed_total, sampled every 100 ms).
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { SERVICES, ServiceProcess, StackInfo, readStackInfo, startServiceProcess } from '@paystate/stack';

const program = new Command()
  .option('--orders <n>', 'orders placed before the replay', '40')
  .option('--concurrency <n>', 'orders placed at once', '4')
  .option('--group <group>', 'the consumer group to replay', 'order-service')
  .option('--profile <name>', 'which running stack', 'test')
  .parse();
const opts = program.opts<{ orders: string; concurrency: string; group: string; profile: string }>();

const repoRoot = path.resolve(__dirname, '..');
const CONSUMERS = Object.fromEntries(SERVICES.flatMap((s) => (s.consumes ? [[s.name, [...s.consumes]]] : []))) as Record<string, string[]>;
const STARTED = ['processor-sim', ...Object.keys(CONSUMERS)];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** Commits the end of the groups' topics, so the run starts with nothing owed to anyone. */
async function groupsToEnd(kafka: Kafka): Promise<void> {
  for (const [groupId, topics] of Object.entries(CONSUMERS)) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
      }
    } finally {
      await admin.disconnect();
    }
  }
}

async function lag(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let total = 0;
    for (const [groupId, topics] of Object.entries(CONSUMERS)) {
      const committed = await admin.fetchOffsets({ groupId, topics });
      for (const topic of topics) {
        for (const end of await admin.fetchTopicOffsets(topic)) {
          const at = Number(committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          total += Number(end.high) - Math.max(at, Number(end.low));
        }
      }
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** An API key made with the service's own CLI, as an operator would. */
async function apiKey(info: StackInfo, service: string, scopes: string[]): Promise<string> {
  const cli = path.join(repoRoot, 'apps', service, 'dist', 'src', 'cli', 'create-api-key.js');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, '--client', `bench-${randomUUID().slice(0, 8)}`, '--scopes', scopes.join(',')], { cwd: repoRoot, env: { ...process.env, ...info.services[service]!.env } });
  return stdout.trim();
}

async function call<T>(url: string, method: string, key: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(method === 'GET' ? {} : { 'idempotency-key': randomUUID() }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Records the service's consumer has handled since it started, whatever the outcome. */
async function handledBy(info: StackInfo, service: string): Promise<number> {
  const text = await (await fetch(`${info.services[service]!.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('paystate_messages_consumed_total{') && l.includes(`group="${service}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

interface ReplayOutput {
  totals: { records: number; processed: number; deduplicated: number; deadLettered: number; ignored: number };
  catchUpSeconds: number;
  memberJoinedAfterSeconds: number | null;
}

/** `ops replay` as its own process: `verified` once the offsets are written, `done` with its JSON. */
function replay(args: string[]): { verified: Promise<void>; done: Promise<ReplayOutput> } {
  const tsx = require.resolve('tsx/cli', { paths: [repoRoot] });
  const child = spawn(process.execPath, [tsx, path.join(repoRoot, 'tools/ops/src/main.ts'), '--profile', opts.profile, '--json', 'replay', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAYSTATE_OPS_ACTOR: 'bench' } });
  let out = '';
  let err = '';
  let markVerified: () => void = () => undefined;
  const verified = new Promise<void>((resolve) => (markVerified = resolve));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.includes('offsets written and verified')) markVerified();
  });
  const done = new Promise<ReplayOutput>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ReplayOutput) : reject(new Error(`ops replay exited ${code}:\n${err}\n${out}`)))));
  return { verified: Promise.race([verified, done.then(() => undefined)]), done };
}

async function main(): Promise<void> {
  const group = opts.group;
  if (!CONSUMERS[group]) throw new Error(`unknown group ${group}: one of ${Object.keys(CONSUMERS).join(', ')}`);
  const info = readStackInfo(opts.profile);
  if (!info) throw new Error(`no running ${opts.profile} stack: start one with \`npx tsx infra/stack/src/cli.ts up --profile ${opts.profile} --detach --no-services\``);
  const kafka = new Kafka({ clientId: 'bench-ops-replay', brokers: info.kafka.brokers, logLevel: logLevel.NOTHING });
  const processes = new Map<string, ServiceProcess>();
  const start = async (s: string): Promise<void> => void processes.set(s, await startServiceProcess(info, s, s === 'payment-service' ? { PROCESSOR_TIMEOUT_MS: '1500' } : {}, { timeoutMs: 300_000 }));

  await groupsToEnd(kafka);
  const runStart = new Date().toISOString();
  await sleep(50);
  const orderKey = await apiKey(info, 'order-service', ['orders:write', 'orders:read']);
  const stockKey = await apiKey(info, 'fulfilment-service', ['stock:read', 'stock:write']);
  await start('processor-sim');
  await Promise.all(STARTED.slice(1).map(start));
  try {
    const n = Number(opts.orders);
    const sku = `BENCH-REPLAY-${randomUUID().slice(0, 8)}`.toUpperCase();
    await call(`${info.services['fulfilment-service']!.url}/stock/${sku}`, 'PUT', stockKey, { onHand: n * 2 });
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < n; i += Number(opts.concurrency)) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(Number(opts.concurrency), n - i) }, () =>
          call<{ id: string }>(`${info.services['order-service']!.url}/orders`, 'POST', orderKey, {
            customerId: `cus_${randomUUID().slice(0, 8)}`,
            customerEmail: `bench-${randomUUID().slice(0, 8)}@example.com`,
            currency: 'EUR',
            items: [{ sku, quantity: 1, unitPrice: 1000 }],
            paymentMethod: 'tok_visa_approve',
          }),
        ),
      );
      ids.push(...batch.map((b) => b.body.id));
    }
    for (const id of ids) await until(`order ${id} to complete`, async () => ((await call<{ status: string }>(`${info.services['order-service']!.url}/orders/${id}`, 'GET', orderKey)).body.status === 'COMPLETED' ? true : undefined));
    await until('every group to catch up', async () => ((await lag(kafka)) === 0 ? true : undefined));
    console.log(`${n} orders completed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    await processes.get(group)!.stop();
    const run = replay(['--group', group, '--to-time', runStart, '--execute', '--reason', 'bench:ops-replay', '--yes', '--no-input', '--timeout', 'PT15M']);
    await run.verified;
    await start(group);
    const samples: { t: number; handled: number }[] = [];
    let finished = false;
    const [r] = await Promise.all([
      run.done.finally(() => (finished = true)),
      (async () => {
        while (!finished) {
          samples.push({ t: Date.now(), handled: await handledBy(info, group).catch(() => 0) });
          await sleep(100);
        }
      })(),
    ]);
    const final = await handledBy(info, group);
    const first = samples.findIndex((x) => x.handled > 0);
    const last = samples.findIndex((x) => x.handled >= final);
    const seconds = first >= 0 && last >= 0 ? (samples[last]!.t - samples[Math.max(0, first - 1)]!.t) / 1000 : NaN;
    console.log(`replayed ${group}: ${r.totals.records} records (processed ${r.totals.processed}, deduplicated ${r.totals.deduplicated}, dead-lettered ${r.totals.deadLettered}, ignored ${r.totals.ignored}); the service counted ${final} handled`);
    console.log(`ops: the member joined ${r.memberJoinedAfterSeconds?.toFixed(1) ?? 'unknown'} s into the wait; the group had committed the end ${r.catchUpSeconds.toFixed(1)} s into it`);
    console.log(`replay throughput: ${(final / seconds).toFixed(0)} records/s replayed and deduplicated (${group}: ${final} records in ${seconds.toFixed(2)} s, first to last handled)`);
  } finally {
    await Promise.all([...processes.values()].map((p) => p.stop()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
