import { Kafka, logLevel } from 'kafkajs';
import { DOMAIN_TOPICS, SERVICES } from '@paystate/stack';
import { queryAsSuperuser, waitFor } from '@paystate/testing';

/**
 * What "no state changed anywhere" is checked against: a digest of every table of every service's
 * database (business tables, the inbox and the dead letters; only the migration bookkeeping is
 * left out) and the end offset of every domain topic (a replay that re-applied something would
 * have written new events).
 */
export type Snapshot = Record<string, { rows: number; digest: string }>;

const DATABASES = SERVICES.filter((s) => s.consumes).map((s) => s.database);

export async function databaseSnapshot(): Promise<Snapshot> {
  const snapshot: Snapshot = {};
  for (const db of DATABASES) {
    const tables = await queryAsSuperuser<{ table_name: string }>(db, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1`);
    for (const { table_name } of tables) {
      const [row] = await queryAsSuperuser<{ rows: string; digest: string | null }>(db, `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table_name}" t`);
      snapshot[`${db}.${table_name}`] = { rows: Number(row!.rows), digest: row!.digest ?? '' };
    }
  }
  return snapshot;
}

export async function topicEnds(brokers: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'e2e-snapshot', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const ends: Record<string, number> = {};
    for (const topic of DOMAIN_TOPICS) for (const p of await admin.fetchTopicOffsets(topic)) ends[`${topic}:${p.partition}`] = Number(p.high);
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** A snapshot once nothing moves any more: two in a row, `settleMs` apart, are equal. */
export async function quiescentSnapshot(brokers: string[], settleMs = 3_000, timeoutMs = 120_000): Promise<{ db: Snapshot; topics: Record<string, number> }> {
  let last = JSON.stringify({ db: await databaseSnapshot(), topics: await topicEnds(brokers) });
  return waitFor(
    'the stack to settle (two equal snapshots in a row)',
    async () => {
      await new Promise((r) => setTimeout(r, settleMs));
      const now = JSON.stringify({ db: await databaseSnapshot(), topics: await topicEnds(brokers) });
      const same = now === last;
      last = now;
      return same ? (JSON.parse(now) as { db: Snapshot; topics: Record<string, number> }) : undefined;
    },
    { timeoutMs, intervalMs: 10 },
  );
}

/** The committed offsets of a group on its topics: `topic:partition` → offset (-1: none). */
export async function groupOffsets(brokers: string[], group: string, topics: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'e2e-snapshot', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of await admin.fetchOffsets({ groupId: group, topics })) for (const p of t.partitions) out[`${t.topic}:${p.partition}`] = Number(p.offset);
    return out;
  } finally {
    await admin.disconnect();
  }
}
