import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { decodeHeaders } from '../headers';
import type { MessagingLogger } from '../logger';
import type { ConsumeOutcome, ConsumerMetrics } from '../metrics';
import type { EventHandlerDefinition } from './consumed-event';
import { ConsumerHealth } from './consumer-health'; // health: readiness of the consumer
import { DeadLetterRedriver } from './dead-letter-redrive';
import { Liveness, RecordProcessor, RetryPolicy } from './record-processor';
import type { RawRecord } from './record-parser';

export interface IdempotentConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  groupId: string;
  handlers: readonly EventHandlerDefinition[];
  logger: MessagingLogger;
  metrics?: ConsumerMetrics;
  retry?: Partial<RetryPolicy>;
  /** Partitions processed in parallel (each still strictly in order); keep ≤ the pool size. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /**
   * Consecutive records of one partition applied in one transaction (each with its own inbox row),
   * so a burst costs one commit instead of one per record. Any failure in the group rolls it all
   * back and the group is replayed record by record, with retries and dead letters as usual.
   */
  maxRecordsPerTransaction?: number;
  clock?: () => Date;
  /**
   * How often the dead-letter redrive worker (dead-letter-redrive.ts, ADR 0016) looks for letters
   * `ops dlq redrive` asked for; 0 runs no worker. Default 2000.
   */
  redriveIntervalMs?: number;
  /** Called after a record's transaction committed (and before its offset is resolved); for tracing and benchmarks. */
  onCommitted?: (record: RawRecord, outcome: ConsumeOutcome) => void;
}

/**
 * At-least-once delivery made safe: for every record, the inbox row (handler + event id), the
 * handler's effects and the events it emits commit in one database transaction, and the Kafka
 * offset is resolved only after that commit. A redelivered record finds its inbox row and has no
 * effect. Records of one partition are handled strictly in order; a failing record blocks its
 * partition (retried with backoff) until it succeeds or is dead-lettered, never skipped.
 *
 * This file is the kafkajs side (the batch loop and the offsets; the only importer of kafkajs);
 * what happens to a record is the RecordProcessor's (record-processor.ts), its SQL the inbox
 * store's (inbox-store.ts).
 */
export class IdempotentConsumer {
  private readonly processor: RecordProcessor;
  /** Redrives the letters ops asked for, through the same processor (same handlers, same path). */
  readonly redriver: DeadLetterRedriver | undefined;
  private consumer: Consumer | undefined;
  /** health: the kafkajs consumer's group state (consumer-health.ts); silent past the session timeout = not a member. */
  readonly health: ConsumerHealth;

  constructor(private readonly options: IdempotentConsumerOptions) {
    this.health = new ConsumerHealth({ silentAfterMs: options.sessionTimeoutMs ?? 30_000 }); // health
    this.processor = new RecordProcessor(options);
    const intervalMs = options.redriveIntervalMs ?? 2_000;
    this.redriver =
      intervalMs > 0
        ? new DeadLetterRedriver({ dataSource: options.dataSource, groupId: options.groupId, processor: this.processor, logger: options.logger, intervalMs, ...(options.clock ? { clock: options.clock } : {}) })
        : undefined;
  }

  get topics(): string[] {
    return this.processor.topics;
  }

  async start(): Promise<void> {
    const { kafka, groupId, logger } = this.options;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      // A new group starts at the beginning: events written before it existed are still owed to it.
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    this.health.attach(consumer); // health: before connect, so the first CONNECT and GROUP_JOIN are seen
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      autoCommitThreshold: 500,
      // an offset is resolved by hand, only once its record's transaction committed
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
    this.redriver?.start();
    logger.info({ groupId, topics: this.topics, redriveIntervalMs: this.options.redriveIntervalMs ?? 2_000 }, 'idempotent consumer started');
  }

  /** Finishes the record (and the letter redrive) in flight, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    await this.redriver?.stop();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await consumer.disconnect();
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const liveness: Liveness = { heartbeat: () => payload.heartbeat(), isRunning: () => payload.isRunning() };
    const records = batch.messages.map((m) => toRawRecord(batch.topic, batch.partition, m));
    const groupSize = Math.max(1, this.options.maxRecordsPerTransaction ?? 100);
    for (let start = 0; start < records.length; start += groupSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const group = records.slice(start, start + groupSize);
      if (group.length > 1 && (await this.processor.processGroup(group))) {
        payload.resolveOffset(group[group.length - 1]!.offset);
        await payload.commitOffsetsIfNecessary();
        await liveness.heartbeat();
        continue;
      }
      for (const record of group) {
        if (!payload.isRunning() || payload.isStale()) return;
        const outcome = await this.processor.processRecord(record, liveness);
        if (outcome === 'aborted') return; // shutting down: leave it unresolved, it is redelivered
        payload.resolveOffset(record.offset);
        await payload.commitOffsetsIfNecessary();
      }
    }
  }
}

export function toRawRecord(topic: string, partition: number, message: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    headers: decodeHeaders(message.headers),
    value: message.value ? message.value.toString('utf8') : null,
    timestamp: message.timestamp,
  };
}
