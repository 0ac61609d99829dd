/**
 * Backbone benchmark (a command, not a test): N events through outbox → Debezium → Kafka →
 * deduplicating consumer, against a running stack (`npm run stack:up`, or --profile test).
 *
 *   npm run bench:backbone -- [--events 20000] [--writers 8] [--rate 500] [--rate-seconds 20] [--profile dev]
 *
 * Prints (1) sustained throughput with N events written by W concurrent writers, one transaction per
 * event, (2) commit → consumer-commit latency percentiles at a fixed rate, and (3) beside them what
 * PostgreSQL alone commits for the same step (pgbench with shared/bench/pg-step-ceiling.sql).
 */
import { execFileSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { OrderPlacedV1, defineEvent } from '@paystate/contracts';
import { IdempotentConsumer, appendToOutbox, defineHandler } from '@paystate/messaging';
import { readStackInfo } from '@paystate/stack';

const program = new Command()
  .option('--events <n>', 'events for the throughput run', '20000')
  .option('--writers <n>', 'concurrent writer transactions', '8')
  .option('--rate <n>', 'events per second for the latency run', '500')
  .option('--rate-seconds <n>', 'duration of the latency run', '20')
  .option('--profile <name>', 'which running stack', 'dev')
  .option('--pgbench-seconds <n>', 'duration of the PostgreSQL ceiling run', '15')
  .option('--backlog <n>', 'events written before the consumer starts, then drained', '20000')
  .option('--consume <group>', '(internal) run as the consuming process of a run')
  .parse();
const opts = program.opts<{ backlog: string; events: string; writers: string; rate: string; rateSeconds: string; profile: string; pgbenchSeconds: string; consume?: string }>();

const info = readStackInfo(opts.profile);
if (!info) {
  console.error(`no running ${opts.profile} stack: start one with \`npm run stack:up\` (or --profile test)`);
  process.exit(1);
}

/**
 * The benchmark's own event: OrderPlaced's payload and topic under a type no service handles, so a
 * running payment-service acknowledges these records as ignored instead of starting payments.
 */
const BenchmarkEventV1 = defineEvent({
  type: 'BackboneBenchmarkEvent',
  version: 1,
  aggregateType: 'order',
  summary: 'Load for bench/backbone.ts (never emitted by a service).',
  schema: OrderPlacedV1.schema,
  example: OrderPlacedV1.example,
});

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The consuming side runs in its own process, as a service would: it shares the two cores with
 * PostgreSQL, Kafka and Connect, not the writers' event loop. It reports each record's commit time
 * (wall clock, same machine) to the parent.
 */
async function consumeInChild(groupId: string): Promise<void> {
  const consumerDb = new DataSource({ type: 'postgres', url: info!.services['payment-service']!.databaseUrl, extra: { max: 8 } });
  await consumerDb.initialize();
  const kafka = new Kafka({ clientId: 'bench-consumer', brokers: info!.kafka.brokers, logLevel: logLevel.NOTHING });
  let pending: [string, number][] = [];
  const flush = setInterval(() => {
    if (pending.length > 0) process.send?.({ committed: pending });
    pending = [];
  }, 25);
  const consumer = new IdempotentConsumer({
    kafka,
    dataSource: consumerDb,
    groupId,
    logger: { debug: () => undefined, info: () => undefined, warn: (o, m) => console.warn(m, o), error: (o, m) => console.error(m, o) },
    handlers: [
      defineHandler(BenchmarkEventV1, `${groupId}.BackboneBenchmarkEvent`, async (event, ctx) => {
        await ctx.manager.query('INSERT INTO bench_effect (order_id, event_id) VALUES ($1, $2)', [event.payload.orderId, event.id]);
      }),
    ],
    onCommitted: (record) => {
      if (record.key) pending.push([record.key, Date.now()]);
    },
    // no dead-letter redrive worker: its polling is not part of what this measures
    redriveIntervalMs: 0,
  });
  await consumer.start();
  process.send?.({ ready: true });
  process.on('message', (m: { stop?: boolean }) => {
    if (!m.stop) return;
    clearInterval(flush);
    void consumer
      .stop()
      .then(() => consumerDb.destroy())
      .then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const producerDb = new DataSource({ type: 'postgres', url: info!.services['order-service']!.databaseUrl, extra: { max: Number(opts.writers) + 2 } });
  const consumerDb = new DataSource({ type: 'postgres', url: info!.services['payment-service']!.databaseUrl, extra: { max: 2 } });
  await producerDb.initialize();
  await consumerDb.initialize();
  await consumerDb.query('CREATE TABLE IF NOT EXISTS bench_effect (order_id uuid PRIMARY KEY, event_id uuid NOT NULL)');

  const kafka = new Kafka({ clientId: 'bench', brokers: info!.kafka.brokers, logLevel: logLevel.NOTHING });
  const groupId = `bench-${randomUUID().slice(0, 8)}`;
  // start the new group at the end of the topic: only this run's events count
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets('order.events');
  await admin.setOffsets({ groupId, topic: 'order.events', partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
  await admin.disconnect();

  const committedAt = new Map<string, number>();
  const consumedAt = new Map<string, number>();
  let onAllConsumed: (() => void) | undefined;
  let expected = 0;
  const writeOne = async (): Promise<void> => {
    const orderId = randomUUID();
    await producerDb.transaction((manager) =>
      appendToOutbox(manager, [
        { contract: BenchmarkEventV1, aggregateId: orderId, cause: { correlationId: orderId, causationId: orderId }, occurredAt: new Date(), payload: { ...OrderPlacedV1.example, orderId } },
      ]),
    );
    committedAt.set(orderId, Date.now());
  };

  // 0. backlog: events written while no consumer runs, then drained: what Debezium, Kafka and the
  //    consumer sustain together when the writers are not the limit
  const backlog = Number(opts.backlog);
  const writeMany = async (count: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Number(opts.writers) }, async () => {
        while (next < count) {
          next += 1;
          await writeOne();
        }
      }),
    );
  };
  await writeMany(backlog);
  expected = backlog;
  const backlogDrained = new Promise<void>((resolve) => (onAllConsumed = resolve));
  const drainStarted = Date.now();
  const child = fork(__filename, ['--consume', groupId, '--profile', opts.profile], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`consumer process exited with ${code}`)));
    child.on('message', (m: { ready?: boolean; committed?: [string, number][] }) => {
      if (m.ready) resolve();
      for (const [key, t] of m.committed ?? []) consumedAt.set(key, t);
      if (consumedAt.size >= expected && onAllConsumed) onAllConsumed();
    });
  });
  await backlogDrained;
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  const consumer = {
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send({ stop: true });
      }),
  };

  const run = async (label: string, count: number, write: () => Promise<void>): Promise<{ seconds: number; writeSeconds: number; latencies: number[] }> => {
    committedAt.clear();
    consumedAt.clear();
    expected = count;
    const allConsumed = new Promise<void>((resolve) => (onAllConsumed = resolve));
    const started = Date.now();
    await write();
    const writeSeconds = (Date.now() - started) / 1000;
    const timeout = setTimeout(() => console.error(`${label}: still waiting, ${consumedAt.size}/${count} consumed`), 120_000);
    await allConsumed;
    clearTimeout(timeout);
    const seconds = (Date.now() - started) / 1000;
    const latencies = [...consumedAt.entries()].map(([id, t]) => t - (committedAt.get(id) ?? t)).sort((a, b) => a - b);
    return { seconds, writeSeconds, latencies };
  };

  // 1. throughput: as fast as the writers can commit
  const total = Number(opts.events);
  const writers = Number(opts.writers);
  await run('warm-up', 500, async () => {
    for (let i = 0; i < 500; i++) await writeOne();
  });
  const throughput = await run('throughput', total, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < total) {
          next += 1;
          await writeOne();
        }
      }),
    );
  });

  // 2. latency at a fixed rate
  const rate = Number(opts.rate);
  const rateCount = rate * Number(opts.rateSeconds);
  const latency = await run('latency', rateCount, async () => {
    const begin = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < rateCount; i++) {
      const due = begin + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(writeOne());
    }
    await Promise.all(pending);
  });

  await consumer.stop();
  const duplicates = Number((await consumerDb.query<{ n: string }[]>('SELECT count(*) - count(DISTINCT order_id) AS n FROM bench_effect'))[0]!.n);
  await producerDb.destroy();
  await consumerDb.destroy();

  // 3. PostgreSQL alone, same machine, same run
  const ceiling = pgbenchCeiling(info!.pg.superuserUrl, Number(opts.pgbenchSeconds), writers);

  const tps = total / throughput.seconds;
  const t = throughput.latencies;
  const l = latency.latencies;
  console.log('\npaystate backbone benchmark (outbox → Debezium → Kafka → idempotent consumer)');
  console.log(`backlog     ${fmt(backlog)} events written while no consumer ran, then drained by a fresh consumer: ${fmt(backlog / drainSeconds)} events/s (${fmt(drainSeconds, 1)} s, consumer start included)`);
  console.log(`throughput  ${fmt(total)} events, ${writers} writers: ${fmt(tps)} events/s end to end (${fmt(throughput.seconds, 1)} s; the writers alone committed ${fmt(total / throughput.writeSeconds)} events/s); latency p50 ${fmt(percentile(t, 50))} ms, p95 ${fmt(percentile(t, 95))} ms, p99 ${fmt(percentile(t, 99))} ms`);
  console.log(`latency     ${fmt(rateCount)} events at ${rate}/s: commit → consumer commit p50 ${fmt(percentile(l, 50))} ms, p95 ${fmt(percentile(l, 95))} ms, p99 ${fmt(percentile(l, 99))} ms, max ${fmt(l[l.length - 1] ?? NaN)} ms`);
  if (ceiling) console.log(`ceiling     pgbench pg-step-ceiling.sql, ${writers} clients: ${fmt(ceiling)} tps; the backbone reaches ${fmt((tps / ceiling) * 100, 1)} % of PostgreSQL alone`);
  console.log(`duplicates  ${duplicates} effects applied twice (must be 0)`);
  console.log(`goals       ≥ 2,000 events/s: ${tps >= 2000 ? 'met' : 'NOT met'} end to end with the writers, ${backlog / drainSeconds >= 2000 ? 'met' : 'NOT met'} for the backlog drain; p99 ≤ 250 ms at 500/s: ${rate === 500 && percentile(l, 99) <= 250 ? 'met' : rate === 500 ? 'NOT met' : 'n/a (rate ≠ 500)'}`);
}

/** pgbench against a scratch database of the stack's own PostgreSQL, with the shared step script. */
function pgbenchCeiling(superuserUrl: string, seconds: number, clients: number): number | undefined {
  const shared = path.resolve(__dirname, '../../shared/bench');
  const schema = path.join(shared, 'pg-saga-ceiling.schema.sql');
  const script = path.join(shared, 'pg-step-ceiling.sql');
  if (!existsSync(script) || !existsSync(schema)) {
    console.warn(`pgbench ceiling skipped: ${script} not found`);
    return undefined;
  }
  // PostgreSQL's client programs ship in no npm package (the stack's own server may be npm's, which has none)
  const missing = ['psql', 'pgbench'].filter((tool) => !(process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, tool))));
  if (missing.length > 0) {
    console.warn(`pgbench ceiling skipped: ${missing.join(' and ')} not on PATH (Debian: apt-get install postgresql-client postgresql-contrib)`);
    return undefined;
  }
  const url = new URL(superuserUrl);
  const env = { ...process.env, PGHOST: url.hostname, PGPORT: url.port, PGUSER: decodeURIComponent(url.username), PGPASSWORD: decodeURIComponent(url.password) };
  return (() => {
    try {
      execFileSync('psql', ['-q', '-d', 'postgres', '-c', 'DROP DATABASE IF EXISTS paystate_bench', '-c', 'CREATE DATABASE paystate_bench'], { env, stdio: 'pipe' });
      execFileSync('psql', ['-q', '-d', 'paystate_bench', '-f', schema], { env, stdio: 'pipe', input: readFileSync(schema) });
      const out = execFileSync('pgbench', ['-n', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', script, 'paystate_bench'], { env, encoding: 'utf8' });
      const match = /tps = ([\d.]+)/.exec(out);
      execFileSync('psql', ['-q', '-d', 'postgres', '-c', 'DROP DATABASE IF EXISTS paystate_bench'], { env, stdio: 'pipe' });
      return match ? Number(match[1]) : undefined;
    } catch (error) {
      console.warn('pgbench ceiling failed:', error instanceof Error ? error.message : error);
      return undefined;
    }
  })();
}

// the consuming child stays up until the parent tells it to stop
(opts.consume ? consumeInChild(opts.consume) : main()).then(
  () => (opts.consume ? undefined : process.exit(0)),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
