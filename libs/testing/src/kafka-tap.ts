import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { RawRecord, toRawRecord } from '@paystate/messaging';
import { waitFor } from './wait-for';

/**
 * Records everything written to some topics from the moment it is opened: how a test observes what
 * Debezium published, without joining any service's consumer group.
 */
export class KafkaTap {
  readonly records: RawRecord[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async open(brokers: string[], topics: string[]): Promise<KafkaTap> {
    const kafka = new Kafka({ clientId: 'test-tap', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const start = new Map<string, { partition: number; offset: string }[]>();
    for (const topic of topics) start.set(topic, await admin.fetchTopicOffsets(topic));
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: `test-tap-${randomUUID()}`, sessionTimeout: 10_000 });
    const tap = new KafkaTap(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: false });
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      assigned = true;
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        tap.records.push(toRawRecord(topic, partition, message));
      },
    });
    await waitFor('the tap to join its group', () => (assigned ? true : undefined), { timeoutMs: 30_000 });
    // start exactly where the topics ended when the tap was opened: nothing in between is missed
    for (const [topic, offsets] of start) {
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
    }
    return tap;
  }

  /** Waits until `count` records match, then returns them. */
  async waitForRecords(description: string, match: (r: RawRecord) => boolean, count = 1, timeoutMs = 60_000): Promise<RawRecord[]> {
    return waitFor(
      `${count} record(s): ${description}`,
      () => {
        const found = this.records.filter(match);
        return found.length >= count ? found : undefined;
      },
      { timeoutMs },
    );
  }

  matching(match: (r: RawRecord) => boolean): RawRecord[] {
    return this.records.filter(match);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
