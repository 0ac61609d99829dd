import { randomUUID } from 'node:crypto';
import { Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { describe, unavailable } from '../errors';

/**
 * What ops reads from Kafka about groups, topics and offsets (kafkajs admin), plus one cheap
 * consumer-side read: the timestamp of the record at a given offset.
 */

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

export interface GroupState {
  group: string;
  state: string;
  members: GroupMember[];
}

/** A group that may be reset: no members and the coordinator says Empty or Dead (or knows nothing of it). */
export const isInactive = (g: GroupState): boolean => g.members.length === 0 && ['Empty', 'Dead', 'Unknown'].includes(g.state);

export const memberNames = (g: GroupState): string => g.members.map((m) => `${m.clientId} (${m.memberId} on ${m.clientHost.replace(/^\//, '')})`).join(', ');

export async function describeGroup(admin: Admin, group: string): Promise<GroupState> {
  const { groups } = await kafkaCall('describe the consumer group', () => admin.describeGroups([group]));
  const g = groups[0];
  return { group, state: g?.state ?? 'Unknown', members: (g?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })) };
}

export interface PartitionRange {
  partition: number;
  low: number;
  high: number;
}

export async function partitionRanges(admin: Admin, topic: string): Promise<PartitionRange[]> {
  const offsets = await kafkaCall(`read the offsets of ${topic}`, () => admin.fetchTopicOffsets(topic));
  return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
}

/** The group's committed offsets: `topic:partition` → offset, null where it has none. */
export async function committedOffsets(admin: Admin, group: string, topics: readonly string[]): Promise<Map<string, number | null>> {
  const result = new Map<string, number | null>();
  if (topics.length === 0) return result;
  const fetched = await kafkaCall(`read the committed offsets of ${group}`, () => admin.fetchOffsets({ groupId: group, topics: [...topics] }));
  for (const t of fetched) for (const p of t.partitions) result.set(key(t.topic, p.partition), Number(p.offset) >= 0 ? Number(p.offset) : null);
  return result;
}

/** Per partition, the first offset whose timestamp is >= `at` (the high watermark when there is none). */
export async function offsetsForTime(admin: Admin, topic: string, at: number): Promise<Map<number, number>> {
  const offsets = await kafkaCall(`look up ${topic}'s offsets by time`, () => admin.fetchTopicOffsetsByTimestamp(topic, at));
  return new Map(offsets.map((o) => [o.partition, Number(o.offset)]));
}

export async function existingTopics(admin: Admin): Promise<Set<string>> {
  return new Set(await kafkaCall('list the topics', () => admin.listTopics()));
}

/** retention.ms per topic (null when the broker did not say); -1 means "forever". */
export async function retentionMs(admin: Admin, topics: readonly string[]): Promise<Map<string, number | null>> {
  const result = new Map<string, number | null>(topics.map((t) => [t, null]));
  if (topics.length === 0) return result;
  const described = await kafkaCall('read the topics’ configs', () =>
    admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })) }),
  );
  for (const r of described.resources) {
    const entry = r.configEntries.find((e) => e.configName === 'retention.ms');
    if (entry?.configValue !== undefined && entry.configValue !== null) result.set(r.resourceName, Number(entry.configValue));
  }
  return result;
}

export const key = (topic: string, partition: number): string => `${topic}:${partition}`;

export interface OffsetRef {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * The timestamps (ms) of the records at the given offsets: `topic:partition` → timestamp, null
 * where nothing could be read within `timeoutMs` (unknown, never 0).
 *
 * How it is done cheaply: kafkajs has no "fetch one record" call outside a consumer, so one
 * short-lived consumer in a throw-away group (`paystate-ops-peek-<uuid>`, deleted afterwards, no
 * offsets committed) joins once for all the partitions asked about, seeks each to its offset,
 * takes the first record of each batch and pauses that partition. One join (~0.1–3 s depending on
 * `group.initial.rebalance.delay.ms`) for the whole command, and one small fetch per partition.
 */
export async function recordTimestamps(brokers: string[], refs: readonly OffsetRef[], timeoutMs = 15_000): Promise<Map<string, number | null>> {
  const result = new Map<string, number | null>(refs.map((r) => [key(r.topic, r.partition), null]));
  const wanted = new Map(refs.map((r) => [key(r.topic, r.partition), r.offset]));
  if (refs.length === 0) return result;
  const kafka = new Kafka({ clientId: 'paystate-ops-peek', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 2 } });
  const groupId = `paystate-ops-peek-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, maxWaitTimeInMs: 200, maxBytesPerPartition: 64 * 1024, allowAutoTopicCreation: false, retry: { retries: 2 } });
  const topics = [...new Set(refs.map((r) => r.topic))];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const remaining = new Set(wanted.keys());
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const r of refs) consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.offset) });
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch }) => {
        const k = key(batch.topic, batch.partition);
        const at = wanted.get(k);
        if (at === undefined || !remaining.has(k)) return;
        const first = batch.messages.find((m) => Number(m.offset) >= at);
        if (!first) return;
        result.set(k, Number(first.timestamp));
        remaining.delete(k);
        consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
        if (remaining.size === 0) finish();
      },
    });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  } catch (error) {
    throw unavailable(`Kafka (${brokers.join(',')})`, error);
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
  return result;
}

/** A kafkajs call whose failure to reach the broker becomes `unavailable` (69). */
async function kafkaCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (/Connection|NumberOfRetriesExceeded|Timeout|BrokerNotFound/.test(name)) throw unavailable('Kafka', new Error(`could not ${what}: ${describe(error)}`));
    throw error;
  }
}
