/**
 * Recovery benchmark (a command, not a test): the time `ops recover` takes per step for a
 * ledger-service database of N orders, against a running stack whose ledger-service is stopped.
 *
 *   npm run bench:ops-recover -- --orders 10000 [--profile test]
 *
 * The database is SEEDED, not built through the saga (10,000 sagas take far longer than the
 * recovery they set up): per order, what the saga leaves in the ledger — a CAPTURE and a DISPATCH
 * journal with two postings each, and five inbox rows (of a handler no group owns, on a topic no
 * group reads, so the positions still come from the real rows). Then: ops backup, DROP DATABASE,
 * ops recover --start (timed, per step from its report); finally the database is recovered again
 * from the backup taken before the seeding, so the stack is left as it was.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { Client } from 'pg';
import { Nemesis, readStackInfo } from '@paystate/stack';

const program = new Command()
  .option('--orders <n>', 'orders in the seeded database', '10000')
  .option('--profile <name>', 'which running stack (its ledger-service must be stopped)', 'test')
  .parse();
const opts = program.opts<{ orders: string; profile: string }>();
const orders = Number(opts.orders);
const info = readStackInfo(opts.profile);
if (!info || !Number.isInteger(orders) || orders < 1) {
  console.error(!info ? `no running ${opts.profile} stack: start one with \`npm run stack:up -- --profile ${opts.profile}\`` : '--orders must be a positive integer');
  process.exit(1);
}
const root = path.resolve(__dirname, '..');

function ops(args: string[]): Promise<{ code: number; json: unknown; stderr: string }> {
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  return new Promise((resolve) => {
    execFile(process.execPath, [tsx, path.join(root, 'tools/ops/src/main.ts'), '--profile', opts.profile, '--json', ...args], { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, PAYSTATE_OPS_ACTOR: 'bench' } }, (error, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: error ? Number(error.code ?? 1) : 0, json, stderr });
    });
  });
}

async function superuser<T>(database: string, work: (c: Client) => Promise<T>): Promise<T> {
  const url = new URL(info!.pg.superuserUrl);
  url.pathname = `/${database}`;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function must(args: string[]): Promise<Record<string, unknown>> {
  const r = await ops(args);
  if (r.code !== 0) throw new Error(`ops ${args.join(' ')} → ${r.code}\n${r.stderr}`);
  return r.json as Record<string, unknown>;
}

async function seed(n: number): Promise<void> {
  await superuser('paystate_ledger', async (c) => {
    await c.query('BEGIN');
    await c.query(`CREATE TEMP TABLE bench_order AS SELECT gen_random_uuid() AS order_id, gen_random_uuid() AS payment_id, i FROM generate_series(1, $1) i`, [n]);
    await c.query(`
      INSERT INTO journal (id, journal_key, kind, order_id, payment_id, currency, amount, source_event_id, source_event_type, posted_at)
      SELECT gen_random_uuid(), 'bench:' || k.kind || ':' || o.order_id, k.kind, o.order_id, o.payment_id, 'EUR', 2500, gen_random_uuid(), k.type, now()
        FROM bench_order o CROSS JOIN (VALUES ('CAPTURE', 'PaymentCaptured'), ('DISPATCH', 'ShipmentDispatched')) AS k(kind, type)`);
    await c.query(`
      INSERT INTO posting (journal_id, currency, account, side, amount)
      SELECT j.id, 'EUR', p.account, p.side, 2500 FROM journal j
        JOIN (VALUES ('CAPTURE', 'processor_receivable', 'DEBIT'), ('CAPTURE', 'customer_clearing', 'CREDIT'),
                     ('DISPATCH', 'customer_clearing', 'DEBIT'), ('DISPATCH', 'merchant_payable', 'CREDIT')) AS p(kind, account, side) ON p.kind = j.kind
       WHERE j.journal_key LIKE 'bench:%'`);
    await c.query(`
      INSERT INTO inbox (handler, event_id, topic, kafka_partition, kafka_offset, outcome)
      SELECT 'bench-seed.' || t.type, gen_random_uuid(), 'bench.seed', 0, o.i * 5 + t.n, 'processed'
        FROM bench_order o CROSS JOIN (VALUES (0, 'PaymentAuthorised'), (1, 'PaymentCaptured'), (2, 'StockReserved'), (3, 'ShipmentDispatched'), (4, 'OrderCompleted')) AS t(n, type)`);
    await c.query('COMMIT');
  });
}

async function loseDatabase(): Promise<void> {
  await superuser('postgres', async (c) => {
    for (let i = 0; i < 100; i++) {
      await c.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'paystate_ledger_outbox' AND active_pid IS NOT NULL`);
      try {
        await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'paystate_ledger_outbox'`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await c.query('DROP DATABASE paystate_ledger WITH (FORCE)');
  });
}

async function main(): Promise<void> {
  const ledger = Nemesis.forStack(opts.profile).service('ledger-service');
  if (ledger.running()) throw new Error('stop ledger-service first (the bench never stops what it did not start)');
  const dir = mkdtempSync(path.join(tmpdir(), 'paystate-bench-recover-'));
  try {
    const before = path.join(dir, 'before.dump');
    const seeded = path.join(dir, 'seeded.dump');
    await must(['backup', 'ledger-service', '--out', before]);
    let t = Date.now();
    await seed(orders);
    console.log(`seeded ${orders} orders (${orders * 2} journals, ${orders * 4} postings, ${orders * 5} inbox rows) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    const backup = await must(['backup', 'ledger-service', '--out', seeded]);
    console.log(`ops backup: ${((Date.now() - t) / 1000).toFixed(1)} s, ${String(backup['bytes'])} bytes`);
    await loseDatabase();
    t = Date.now();
    const report = await must(['recover', 'ledger-service', '--backup', seeded, '--start', '--execute', '--reason', 'bench', '--yes', '--no-input']);
    const total = (Date.now() - t) / 1000;
    const steps = report['steps'] as { step: string; seconds: number | null }[];
    console.log(`ops recover of ${orders} orders: ${total.toFixed(1)} s in all (process start included)`);
    for (const s of steps) console.log(`  ${s.step.padEnd(22)} ${s.seconds === null ? '-' : s.seconds.toFixed(2)} s`);
    console.log(`  records replayed: ${JSON.stringify(report['records'])}`);
    // leave the stack as it was
    await ledger.terminate();
    await loseDatabase();
    await must(['recover', 'ledger-service', '--backup', before, '--execute', '--reason', 'bench: put back', '--yes', '--no-input', '--start']);
    await ledger.terminate();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
