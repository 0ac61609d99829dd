import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testStack } from '@paystate/testing';
import { InboxRetentionStore, readInboxHorizons } from '@paystate/messaging';

/**
 * Inbox pruning (ADR 0018) against the real PostgreSQL of the test stack, in notification-service's
 * database (its migrations ran: messaging schema V1 + V2). Every row this spec writes belongs to
 * handlers named after this run, and the rows are back-dated past the retention, so the service's
 * own recent rows are never in reach; counts are read for this run's handlers only.
 */
const runId = randomUUID().slice(0, 8);
const info = testStack();
const url = info.services['notification-service']!.databaseUrl;
const DAY = 24 * 3600 * 1000;
const RETENTION = 16 * DAY;
const db = new DataSource({ type: 'postgres', url, extra: { max: 8 } });
const handler = (name: string) => `itest-prune-${runId}.${name}`;
const mine = (h: string) => h.startsWith(`itest-prune-${runId}.`);

async function insertInbox(h: string, ageMs: number, outcome: 'processed' | 'dead-lettered' = 'processed'): Promise<string> {
  const eventId = randomUUID();
  await db.query(
    `INSERT INTO inbox (handler, event_id, topic, kafka_partition, kafka_offset, outcome, processed_at)
     VALUES ($1, $2, 'order.events', 0, 0, $3, now() - make_interval(secs => $4))`,
    [h, eventId, outcome, ageMs / 1000],
  );
  return eventId;
}

async function insertDeadLetter(h: string, eventId: string, status: 'parked' | 'redriven'): Promise<void> {
  await db.query(
    `INSERT INTO dead_letter (id, handler, consumer_group, event_id, topic, kafka_partition, kafka_offset, kafka_key, headers, value, error_kind, error, attempts, status)
     VALUES ($1, $2, 'itest', $3, 'order.events', 0, 0, NULL, '{}'::jsonb, '{}', 'poison', 'Error: test', 1, $4)`,
    [randomUUID(), h, eventId, status],
  );
}

const inboxIds = async (h: string): Promise<string[]> =>
  (await db.query<{ event_id: string }[]>('SELECT event_id FROM inbox WHERE handler = $1 ORDER BY event_id', [h])).map((r) => r.event_id);

/** The horizon as the database holds it, compared in SQL (microseconds, no JS Date rounding). */
async function horizonIs(h: string, expected: string): Promise<boolean> {
  const [row] = await db.query<{ same: boolean }[]>(`SELECT pruned_through = $2::timestamptz AS same FROM inbox_horizon WHERE handler = $1`, [h, expected]);
  return row?.same === true;
}

/** A row's processed_at as PostgreSQL renders it (exact, with its offset). */
const processedAt = async (h: string, eventId: string): Promise<string> =>
  (await db.query<{ at: string }[]>('SELECT processed_at::text AS at FROM inbox WHERE handler = $1 AND event_id = $2', [h, eventId]))[0]!.at;

beforeAll(async () => {
  await db.initialize();
});

afterAll(async () => {
  await db.query(`DELETE FROM dead_letter WHERE handler LIKE $1`, [`itest-prune-${runId}.%`]);
  await db.query(`DELETE FROM inbox WHERE handler LIKE $1`, [`itest-prune-${runId}.%`]);
  await db.query(`DELETE FROM inbox_horizon WHERE handler LIKE $1`, [`itest-prune-${runId}.%`]);
  await db.destroy();
});

describe('inbox pruning on the real PostgreSQL (ADR 0018)', () => {
  it('deletes only rows past the retention, keeps a parked letter\'s row, and raises each handler\'s horizon to the newest row it deleted', async () => {
    const a = handler('A');
    const b = handler('B');
    const aOld = [await insertInbox(a, 30 * DAY), await insertInbox(a, 25 * DAY), await insertInbox(a, 20 * DAY)];
    const aRecent = [await insertInbox(a, 1 * DAY), await insertInbox(a, 15 * DAY)];
    const aNewestGone = await processedAt(a, aOld[2]!);
    await insertInbox(b, 40 * DAY);
    const bRecent = [await insertInbox(b, 2 * DAY)];
    const parked = await insertInbox(b, 50 * DAY, 'dead-lettered');
    await insertDeadLetter(b, parked, 'parked');
    const redriven = await insertInbox(b, 45 * DAY, 'dead-lettered');
    await insertDeadLetter(b, redriven, 'redriven');

    const store = new InboxRetentionStore(db, { retentionMs: RETENTION, batchSize: 2 });
    const run = await store.prune(new Date());
    expect(run.more).toBe(false);
    expect(run.handlers.get(a)?.deleted).toBe(3);
    expect(run.handlers.get(b)?.deleted).toBe(2);

    expect(await inboxIds(a)).toEqual([...aRecent].sort());
    expect(await inboxIds(b)).toEqual([...bRecent, parked].sort());
    expect(await horizonIs(a, aNewestGone)).toBe(true);
    const horizons = (await readInboxHorizons(db)).filter((h) => mine(h.handler));
    expect(horizons.map((h) => [h.handler, h.prunedRows])).toEqual([
      [a, 3],
      [b, 2],
    ]);
    // b lost its 40-day row and its redriven letter's 45-day row: the horizon is the newer one
    expect(Math.round((Date.now() - horizons[1]!.prunedThrough.getTime()) / DAY)).toBe(40);

    // nothing left to prune: a second run changes nothing
    const again = await store.prune(new Date());
    expect([...again.handlers.keys()].filter(mine)).toEqual([]);
    expect(await horizonIs(a, aNewestGone)).toBe(true);
  });

  it('never lowers a horizon: a row older than it, pruned later, only adds to the count', async () => {
    const c = handler('C');
    await insertInbox(c, 20 * DAY);
    const store = new InboxRetentionStore(db, { retentionMs: RETENTION, batchSize: 100 });
    await store.prune(new Date());
    const [first] = (await readInboxHorizons(db)).filter((h) => h.handler === c);
    await insertInbox(c, 60 * DAY); // e.g. a late commit with an old processed_at
    await store.prune(new Date());
    const [second] = (await readInboxHorizons(db)).filter((h) => h.handler === c);
    expect(second!.prunedThrough.getTime()).toBe(first!.prunedThrough.getTime());
    expect(second!.prunedRows).toBe(2);
    expect(await inboxIds(c)).toEqual([]);
  });

  it('four pruners at once over five handlers: no deadlock, every row deleted and counted exactly once', async () => {
    const handlers = [1, 2, 3, 4, 5].map((i) => handler(`P${i}`));
    const perHandler = 300;
    for (const h of handlers) {
      await db.query(
        `INSERT INTO inbox (handler, event_id, topic, kafka_partition, kafka_offset, outcome, processed_at)
         SELECT $1, gen_random_uuid(), 'order.events', 0, g, 'processed', now() - interval '17 days' - g * interval '1 minute'
           FROM generate_series(1, $2) AS g`,
        [h, perHandler],
      );
    }
    const expectedHorizon = new Map<string, string>();
    for (const h of handlers) {
      const [row] = await db.query<{ at: string }[]>(`SELECT max(processed_at)::text AS at FROM inbox WHERE handler = $1`, [h]);
      expectedHorizon.set(h, row!.at);
    }

    const pruners = [0, 1, 2, 3].map(() => new InboxRetentionStore(db, { retentionMs: RETENTION, batchSize: 25 }));
    const started = Date.now();
    const runs = await Promise.all(pruners.map((p) => p.prune(new Date(), 1000)));
    const tookMs = Date.now() - started;

    const deletedBy = (h: string) => runs.reduce((n, r) => n + (r.handlers.get(h)?.deleted ?? 0), 0);
    for (const h of handlers) {
      expect(deletedBy(h)).toBe(perHandler);
      expect(await inboxIds(h)).toEqual([]);
      expect(await horizonIs(h, expectedHorizon.get(h)!)).toBe(true);
    }
    const counted = (await readInboxHorizons(db)).filter((h) => handlers.includes(h.handler));
    expect(counted.map((h) => h.prunedRows)).toEqual(handlers.map(() => perHandler));
    // more than one pruner did work (otherwise this proved nothing about concurrency)
    expect(runs.filter((r) => [...r.handlers.keys()].some((h) => handlers.includes(h))).length).toBeGreaterThan(1);
    expect(tookMs).toBeLessThan(60_000);
  });
});
