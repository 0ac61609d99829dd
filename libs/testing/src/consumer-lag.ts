import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './wait-for';

/** Total records of `topics` that `groupId` has not committed yet. */
export async function consumerLag(brokers: string[], groupId: string, topics: string[]): Promise<number> {
  const admin = new Kafka({ clientId: 'test-lag', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? -1);
        lag += Number(end.high) - Math.max(at, Number(end.low));
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

export async function waitForCaughtUp(brokers: string[], groupId: string, topics: string[], timeoutMs = 120_000): Promise<void> {
  await waitFor(`${groupId} to commit everything on ${topics.join(', ')}`, async () => ((await consumerLag(brokers, groupId, topics)) === 0 ? true : undefined), { timeoutMs, intervalMs: 500 });
}

/** The committed offset of one partition for a group (-1 when nothing is committed). */
export async function committedOffset(brokers: string[], groupId: string, topic: string, partition: number): Promise<number> {
  const admin = new Kafka({ clientId: 'test-lag', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(offsets?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits the end of `topics` for consumer groups that are not running, so services started next
 * begin with what is written from now on. A suite uses it to leave behind the events that earlier
 * suites wrote for their own purposes (e.g. facts about orders that only exist in another service):
 * exactly what an operator does before starting a consumer on a topic with history it must not act on.
 * One short-lived member per group joins, commits the high watermarks and leaves (kafkajs'
 * admin.setOffsets joins once per topic, which costs seconds each); the groups go in parallel.
 */
export async function moveGroupsToEnd(brokers: string[], groupIds: string[], topics: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'test-lag', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: { topic: string; partition: number; offset: string }[];
  try {
    ends = (await Promise.all(topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, offset: o.high }))))).flat();
  } finally {
    await admin.disconnect();
  }
  await Promise.all(
    groupIds.map(async (groupId) => {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics, fromBeginning: false });
        let joined = false;
        consumer.on(consumer.events.GROUP_JOIN, () => {
          joined = true;
        });
        // nothing is processed or resolved: the member only exists to commit the ends
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
        await waitFor(`${groupId} to join`, () => (joined ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
        await consumer.commitOffsets(ends);
      } finally {
        await consumer.disconnect();
      }
    }),
  );
}
