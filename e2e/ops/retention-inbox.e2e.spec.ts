import { randomUUID } from 'node:crypto';
import { MIN_INBOX_RETENTION_MS } from '@paystate/contracts';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { queryAsSuperuser, testStack, waitFor } from '@paystate/testing';

/**
 * The inbox pruner inside a live service (ADR 0018): ledger-service, started with a pruning interval
 * of 1 s, deletes the inbox rows older than its retention and raises `inbox_horizon` in the same
 * transactions, while younger rows stay. The retention cannot be made small for the test (the
 * config refuses anything under MIN_INBOX_RETENTION_MS, the topics' retention plus the replay
 * margin: that guard is the point of ADR 0018), so time is what the test moves: it writes inbox
 * rows processed longer ago than that, under a handler name of its own that no consumer uses.
 */
const LEDGER_DB = 'paystate_ledger';
const handler = `e2e-retention-${randomUUID().slice(0, 8)}`;
const DAY_MS = 24 * 60 * 60 * 1000;
let ledger: ServiceProcess | undefined;

afterAll(async () => {
  await ledger?.stop();
  await queryAsSuperuser(LEDGER_DB, 'DELETE FROM inbox WHERE handler = $1', [handler]);
  await queryAsSuperuser(LEDGER_DB, 'DELETE FROM inbox_horizon WHERE handler = $1', [handler]);
});

const rowsOf = async (): Promise<{ event_id: string; processed_at: Date }[]> =>
  queryAsSuperuser(LEDGER_DB, 'SELECT event_id, processed_at FROM inbox WHERE handler = $1 ORDER BY processed_at', [handler]);

it('a live service prunes the inbox rows older than its retention and raises inbox_horizon to the newest it deleted; younger rows stay', async () => {
  const now = Date.now();
  const oldest = new Date(now - MIN_INBOX_RETENTION_MS - 3 * DAY_MS);
  const newestOld = new Date(now - MIN_INBOX_RETENTION_MS - DAY_MS);
  const young = new Date(now - DAY_MS);
  const stamps = [oldest, new Date(now - MIN_INBOX_RETENTION_MS - 2 * DAY_MS), newestOld, young];
  for (const [i, at] of stamps.entries())
    await queryAsSuperuser(LEDGER_DB, `INSERT INTO inbox (handler, event_id, topic, kafka_partition, kafka_offset, outcome, processed_at) VALUES ($1, $2, 'payment.events', 0, $3, 'processed', $4)`, [handler, randomUUID(), i, at]);
  expect(await queryAsSuperuser(LEDGER_DB, 'SELECT 1 FROM inbox_horizon WHERE handler = $1', [handler])).toEqual([]);

  ledger = await startServiceProcess(testStack(), 'ledger-service', { INBOX_PRUNE_INTERVAL_SECONDS: '1', INBOX_PRUNE_BATCH_SIZE: '2' }, { timeoutMs: 300_000 });
  const horizon = await waitFor(
    'the pruner to raise the horizon past the old rows',
    async () => {
      const [h] = await queryAsSuperuser<{ pruned_through: Date; pruned_rows: string }>(LEDGER_DB, 'SELECT pruned_through, pruned_rows FROM inbox_horizon WHERE handler = $1', [handler]);
      return h && Number(h.pruned_rows) === 3 ? h : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(horizon.pruned_through.toISOString()).toBe(newestOld.toISOString());
  expect((await rowsOf()).map((r) => r.processed_at.toISOString())).toEqual([young.toISOString()]);

  // the service says so on /metrics: the rows it pruned and how old its horizon is
  const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
  const line = (name: string) => metrics.split('\n').find((l) => l.startsWith(`${name}{handler="${handler}"}`));
  expect(Number(line('paystate_inbox_rows_pruned_total')?.split(' ').pop())).toBe(3);
  const age = Number(line('paystate_inbox_horizon_age_seconds')?.split(' ').pop());
  expect(age).toBeGreaterThanOrEqual((MIN_INBOX_RETENTION_MS + DAY_MS) / 1000);

  // later runs leave the young row and the horizon alone (it never moves back)
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(await rowsOf()).toHaveLength(1);
  const [after] = await queryAsSuperuser<{ pruned_through: Date }>(LEDGER_DB, 'SELECT pruned_through FROM inbox_horizon WHERE handler = $1', [handler]);
  expect(after!.pruned_through.toISOString()).toBe(newestOld.toISOString());
}, 600_000);
