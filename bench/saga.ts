/**
 * Saga benchmark (a command, not a test): whole orders through the five services against a running
 * stack with its services (`npm start`, or `npm run stack:up -- --profile test`).
 *
 *   npm run bench:saga -- [--rates 5,10,20,40] [--seconds 20] [--saturation 100] [--mix approve|paths]
 *                         [--profile dev] [--pgbench-seconds 15] [--json]
 *
 * Per offered rate it places orders open-loop (each at its scheduled time, whether or not earlier ones
 * have been answered), with an Idempotency-Key each, and reads the end of every order from
 * order.events (OrderCompleted, or OrderCancelled on a failure path) — nothing polls the API. It
 * prints offered and placed orders/s, completed orders/s, placed → ended p50/p95/p99/max, HTTP
 * errors, CPU ms per ended order for each component (Kafka, Connect, PostgreSQL with its backends,
 * every service, the SMTP sink) from /proc, and the peak RSS of each. Last, in the same run,
 * pgbench runs shared/bench/pg-saga-ceiling.sql (one happy order as the saga's 14 transactions)
 * against the same PostgreSQL, and each rate's completed/s is set beside that ceiling.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { readStackInfo, readStackState, StackInfo, StackState } from '@paystate/stack';
import { pgbenchCeiling } from './support/pg-ceiling';

const program = new Command()
  .option('--rates <list>', 'offered orders/s, one step each', '5,10,20,40')
  .option('--seconds <n>', 'how long each rate is offered', '20')
  .option('--saturation <rate>', 'a last step offered far above capacity (0: none)', '100')
  .option('--mix <name>', 'approve: every order on the happy path; paths: every path of SPEC §4 in turn', 'approve')
  .option('--drain-seconds <n>', 'how long a step waits for its last orders to end', '120')
  .option('--profile <name>', 'which running stack', 'dev')
  .option('--pgbench-seconds <n>', 'duration of the PostgreSQL ceiling run (0: none)', '15')
  .option('--json', 'print one JSON document instead of the tables')
  .parse();
const opts = program.opts<{ rates: string; seconds: string; saturation: string; mix: string; drainSeconds: string; profile: string; pgbenchSeconds: string; json?: boolean }>();

class BenchError extends Error {}

/** The paths of SPEC §4 as (payment method, kind of SKU); the approve mix uses the first only. */
const PATHS = [
  { name: 'happy', paymentMethod: 'tok_visa_approve', sku: 'stocked' },
  { name: 'C1 declined', paymentMethod: 'tok_decline', sku: 'stocked' },
  { name: 'C2 out of stock', paymentMethod: 'tok_visa_approve', sku: 'soldOut' },
  { name: 'C3 capture fails', paymentMethod: 'tok_capture_fails', sku: 'stocked' },
  { name: 'C4 dispatch fails', paymentMethod: 'tok_visa_approve', sku: 'unshippable' },
  { name: 'C5 void fails', paymentMethod: 'tok_void_fails', sku: 'soldOut' },
] as const;
const END_TYPES = new Set(['OrderCompleted', 'OrderCancelled']);

interface StepResult {
  offeredPerSecond: number;
  seconds: number;
  placed: number;
  placedPerSecond: number;
  httpErrors: number;
  httpErrorsByStatus: Record<string, number>;
  ended: number;
  notEnded: number;
  completedPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  cpuMsPerOrder: Record<string, number>;
  cpuMsPerOrderTotal: number;
  peakRssMiB: Record<string, number>;
  ofCeiling?: number;
}

// ---- the stack's processes: CPU of a process tree and RSS, from /proc ------------------------------

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
  rssPages: number;
}

function readProc(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command name may hold spaces and parentheses: the fields start after the last ')'
      const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      // from field 3 (state): ppid is 4, utime 14, stime 15, cutime 16, cstime 17, rss 24
      const n = (i: number): number => Number(fields[i - 3]);
      out.set(Number(entry), { pid: Number(entry), ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17), rssPages: n(24) });
    } catch {
      // the process ended while /proc was read
    }
  }
  return out;
}

/** The components to measure: name → root pid (its descendants count too: PostgreSQL's backends). */
function components(state: StackState): Map<string, number> {
  const roots = new Map<string, number>();
  if (state.kafka) roots.set('kafka', state.kafka.pid);
  if (state.connect) roots.set('connect', state.connect.pid);
  if (state.pg) roots.set('postgres', state.pg.pid);
  if (state.smtpSink) roots.set('smtp-sink', state.smtpSink.pid);
  for (const [name, rec] of Object.entries(state.services)) roots.set(name, rec.pid);
  return roots;
}

function treeOf(root: number, procs: Map<number, ProcStat>): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcStat[] = [];
  const walk = (pid: number): void => {
    const p = procs.get(pid);
    if (!p) return;
    out.push(p);
    for (const c of children.get(pid) ?? []) walk(c.pid);
  };
  walk(root);
  return out;
}

/** CPU ticks used so far per component (exited children included through cutime/cstime). */
function cpuTicks(roots: Map<string, number>): Map<string, number> {
  const procs = readProc();
  return new Map([...roots].map(([name, pid]) => [name, treeOf(pid, procs).reduce((s, p) => s + p.ticks, 0)]));
}

function rssMiB(roots: Map<string, number>): Map<string, number> {
  const procs = readProc();
  const pageMiB = 4096 / (1 << 20);
  return new Map([...roots].map(([name, pid]) => [name, treeOf(pid, procs).reduce((s, p) => s + p.rssPages, 0) * pageMiB]));
}

// ---- API keys, stock, orders -------------------------------------------------------------------------

const run = promisify(execFile);

/** A key for the benchmark from the service's own CLI, as an operator makes one. */
async function apiKey(info: StackInfo, service: string, scopes: string[]): Promise<string> {
  const svc = info.services[service];
  const root = path.resolve(__dirname, '..');
  const cli = path.join(root, 'apps', service, 'dist', 'src', 'cli', 'create-api-key.js');
  if (!svc || !existsSync(cli)) throw new BenchError(`${service}: ${cli} is missing; build first (npm run build)`);
  const { stdout } = await run(process.execPath, [cli, '--client', 'bench-saga', '--name', 'bench:saga', '--scopes', scopes.join(',')], { cwd: root, env: { ...process.env, ...svc.env } });
  return stdout.trim();
}

async function put(url: string, key: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new BenchError(`PUT ${url} → ${res.status} ${await res.text()}`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const info = readStackInfo(opts.profile);
  const state = readStackState(opts.profile);
  if (!info || !state) throw new BenchError(`no running ${opts.profile} stack: start it with \`npm start\` (or \`npm run stack:up -- --profile ${opts.profile}\`)`);
  const missing = Object.keys(info.services).filter((s) => !state.services[s]);
  if (missing.length > 0) throw new BenchError(`the ${opts.profile} stack runs without ${missing.join(', ')}: the benchmark needs every service (start the stack with its services)`);
  const rates = opts.rates.split(',').map(Number);
  const saturation = Number(opts.saturation);
  const seconds = Number(opts.seconds);
  if (rates.some((r) => !(r > 0)) || !(seconds > 0) || !(saturation >= 0)) throw new BenchError('--rates takes positive numbers, --seconds a positive number, --saturation a number ≥ 0');
  if (opts.mix !== 'approve' && opts.mix !== 'paths') throw new BenchError(`--mix is approve or paths, not ${opts.mix}`);
  const paths = opts.mix === 'approve' ? PATHS.slice(0, 1) : PATHS;

  const orderUrl = info.services['order-service']!.url;
  const [orderKey, stockKey] = await Promise.all([apiKey(info, 'order-service', ['orders:write']), apiKey(info, 'fulfilment-service', ['stock:write'])]);
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const skus = { stocked: `BENCH-${tag}-BOOK`, soldOut: `BENCH-${tag}-SOLD-OUT`, unshippable: `UNSHIPPABLE-BENCH-${tag}` };
  const fulfilmentUrl = info.services['fulfilment-service']!.url;
  await put(`${fulfilmentUrl}/stock/${skus.stocked}`, stockKey, { onHand: 10_000_000 });
  await put(`${fulfilmentUrl}/stock/${skus.soldOut}`, stockKey, { onHand: 0 });
  await put(`${fulfilmentUrl}/stock/${skus.unshippable}`, stockKey, { onHand: 10_000_000 });

  // the end of every order, as order.events carries it, with the time it reached us
  const ended = new Map<string, number>();
  const kafka = new Kafka({ clientId: `bench-saga-${tag}`, brokers: info.kafka.brokers, logLevel: logLevel.NOTHING });
  const listener = kafka.consumer({ groupId: `bench-saga-${tag}` });
  let joined = false;
  listener.on(listener.events.GROUP_JOIN, () => (joined = true));
  await listener.connect();
  await listener.subscribe({ topics: ['order.events'], fromBeginning: false });
  await listener.run({
    eachMessage: ({ message }) => {
      const type = message.headers?.['eventType']?.toString();
      if (type && END_TYPES.has(type) && message.key) ended.set(message.key.toString(), performance.now());
      return Promise.resolve();
    },
  });
  for (let i = 0; !joined; i += 1) {
    if (i > 300) throw new BenchError('the completion listener did not join its group in 30 s');
    await sleep(100);
  }

  const roots = components(state);
  const steps: StepResult[] = [];
  for (const rate of [...rates, ...(saturation > 0 ? [saturation] : [])]) {
    if (!opts.json) process.stdout.write(`offering ${rate} orders/s for ${seconds} s… `);
    const placedAt = new Map<string, number>();
    const errors: Record<string, number> = {};
    const cpuBefore = cpuTicks(roots);
    const peak = new Map<string, number>();
    const sampler = setInterval(() => {
      for (const [name, mib] of rssMiB(roots)) peak.set(name, Math.max(peak.get(name) ?? 0, mib));
    }, 1_000);
    const start = performance.now();
    const total = Math.round(rate * seconds);
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const p = paths[i % paths.length]!;
      const sentAt = performance.now();
      inFlight.push(
        fetch(`${orderUrl}/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${orderKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ customerId: `bench_${tag}`, customerEmail: `bench-${tag.toLowerCase()}@example.com`, currency: 'EUR', items: [{ sku: skus[p.sku], quantity: 1, unitPrice: 2500 }], paymentMethod: p.paymentMethod }),
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (res) => {
            const text = await res.text();
            if (res.status !== 201) errors[String(res.status)] = (errors[String(res.status)] ?? 0) + 1;
            else placedAt.set((JSON.parse(text) as { id: string }).id, sentAt);
          },
          (error: unknown) => {
            const name = error instanceof Error ? error.name : 'error';
            errors[name] = (errors[name] ?? 0) + 1;
          },
        ),
      );
    }
    await Promise.all(inFlight);
    const placingSeconds = (performance.now() - start) / 1000;
    const drainDeadline = performance.now() + Number(opts.drainSeconds) * 1000;
    while ([...placedAt.keys()].some((id) => !ended.has(id)) && performance.now() < drainDeadline) await sleep(200);
    clearInterval(sampler);
    const cpuAfter = cpuTicks(roots);

    const done = [...placedAt].filter(([id]) => ended.has(id));
    const latencies = done.map(([id, sent]) => ended.get(id)! - sent).sort((a, b) => a - b);
    const lastEnd = Math.max(...done.map(([id]) => ended.get(id)!), start);
    const cpuMsPerOrder = Object.fromEntries(
      [...roots.keys()].map((name) => [name, done.length ? (((cpuAfter.get(name) ?? 0) - (cpuBefore.get(name) ?? 0)) * 1000) / CLOCK_TICKS_PER_SECOND / done.length : NaN]),
    );
    steps.push({
      offeredPerSecond: rate,
      seconds,
      placed: placedAt.size,
      placedPerSecond: placedAt.size / placingSeconds,
      httpErrors: Object.values(errors).reduce((s, n) => s + n, 0),
      httpErrorsByStatus: errors,
      ended: done.length,
      notEnded: placedAt.size - done.length,
      completedPerSecond: done.length / ((lastEnd - start) / 1000),
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN },
      cpuMsPerOrder,
      cpuMsPerOrderTotal: Object.values(cpuMsPerOrder).reduce((s, v) => s + v, 0),
      peakRssMiB: Object.fromEntries(peak),
    });
    if (!opts.json) process.stdout.write(`${done.length} ended\n`);
  }
  await listener.disconnect();

  const ceilingSeconds = Number(opts.pgbenchSeconds);
  const ceiling = ceilingSeconds > 0 ? pgbenchCeiling(info.pg.superuserUrl, { script: 'pg-saga-ceiling.sql', seconds: ceilingSeconds, clients: 8 }) : undefined;
  for (const s of steps) if (ceiling) s.ofCeiling = s.completedPerSecond / ceiling.tps;

  if (opts.json) {
    console.log(JSON.stringify({ profile: opts.profile, mix: opts.mix, at: new Date().toISOString(), steps, ceiling: ceiling ?? null }, null, 2));
    return;
  }
  const f = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '–');
  console.log(`\nsaga benchmark, ${opts.profile} stack, mix ${opts.mix}${ceiling ? `; PostgreSQL alone (pgbench pg-saga-ceiling.sql, 8 clients, ${ceilingSeconds} s): ${f(ceiling.tps, 1)} orders/s` : ceiling === undefined && ceilingSeconds > 0 ? '; no PostgreSQL ceiling (see above)' : ''}`);
  console.log('offered/s  placed/s  ended/s  p50 ms  p95 ms  p99 ms  max ms  errors  not ended  CPU ms/order  of ceiling');
  for (const s of steps) {
    console.log(
      `${f(s.offeredPerSecond).padStart(9)}  ${f(s.placedPerSecond, 1).padStart(8)}  ${f(s.completedPerSecond, 1).padStart(7)}  ${f(s.latencyMs.p50).padStart(6)}  ${f(s.latencyMs.p95).padStart(6)}  ${f(s.latencyMs.p99).padStart(6)}  ${f(s.latencyMs.max).padStart(6)}  ${String(s.httpErrors).padStart(6)}  ${String(s.notEnded).padStart(9)}  ${f(s.cpuMsPerOrderTotal, 1).padStart(12)}  ${s.ofCeiling !== undefined ? `${f(s.ofCeiling * 100, 1)} %` : '–'}`,
    );
  }
  console.log('\nCPU ms per ended order / peak RSS MiB, per component (a process tree: PostgreSQL\'s backends are summed, so its RSS counts shared buffers more than once):');
  const names = [...roots.keys()];
  console.log(`${'offered/s'.padStart(9)}  ${names.map((n) => n.padStart(Math.max(n.length, 9))).join('  ')}`);
  for (const s of steps) console.log(`${f(s.offeredPerSecond).padStart(9)}  ${names.map((n) => `${f(s.cpuMsPerOrder[n] ?? NaN, 1)}/${f(s.peakRssMiB[n] ?? NaN)}`.padStart(Math.max(n.length, 9))).join('  ')}`);
  const errs = steps.filter((s) => s.httpErrors > 0);
  for (const s of errs) console.log(`errors at ${s.offeredPerSecond}/s: ${JSON.stringify(s.httpErrorsByStatus)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof BenchError ? `bench:saga: ${error.message}` : error);
    process.exit(error instanceof BenchError ? 64 : 1);
  },
);
