import { PartitionAssigners, type Admin, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { decodeHeaders } from '../headers';
import type { MessagingLogger } from '../logger';
import type { ConsumeOutcome, ConsumerMetrics } from '../metrics';
import type { EventHandlerDefinition } from './consumed-event';
import { coPartitionedAssigner } from './co-partitioned-assigner';
import { ConsumerHealth } from './consumer-health';
import { DeadLetterRedriver } from './dead-letter-redrive';
import { LaneId, LanePosition, PartitionMerge } from './partition-merge';
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
  /**
   * Partitions with the same number of the topics the group reads are handed over merged by record
   * timestamp (partition-merge.ts, ADR 0020): across the backlogs while the group catches up after a
   * join, and among the batches of one fetch live. A co-partition still catching up that gives
   * nothing for this long is presumed caught up. Default 10000; 0 turns the merge off.
   */
  catchUpMaxIdleMs?: number;
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
 * A group that reads several topics catches up in timestamp order across them (ADR 0020): a
 * PartitionMerge decides which records of a batch may go, this class waits, pauses and resumes.
 *
 * This file is the kafkajs side (the batch loop, the offsets, pausing; with its assigner the only
 * importer of kafkajs); what happens to a record is the RecordProcessor's (record-processor.ts), its
 * SQL the inbox store's (inbox-store.ts), the catch-up order the PartitionMerge's (partition-merge.ts).
 */
export class IdempotentConsumer {
  private readonly processor: RecordProcessor;
  /** Redrives the letters ops asked for, through the same processor (same handlers, same path). */
  readonly redriver: DeadLetterRedriver | undefined;
  private consumer: Consumer | undefined;
  /** Present when the group reads two topics or more and the merge is on (ADR 0020). */
  private readonly merge: PartitionMerge | undefined;
  private admin: Admin | undefined;
  /** Settles once the merge knows the positions of the current assignment. */
  private mergeReady: Promise<void> = Promise.resolve();
  private mergeWaiters: Array<() => void> = [];
  private resumeTimer: NodeJS.Timeout | undefined;
  /** The consumer's group state for readiness (consumer-health.ts); silent past the session timeout = not a member. */
  readonly health: ConsumerHealth;

  constructor(private readonly options: IdempotentConsumerOptions) {
    this.health = new ConsumerHealth({ silentAfterMs: options.sessionTimeoutMs ?? 30_000 });
    this.processor = new RecordProcessor(options);
    const intervalMs = options.redriveIntervalMs ?? 2_000;
    this.redriver =
      intervalMs > 0
        ? new DeadLetterRedriver({ dataSource: options.dataSource, groupId: options.groupId, processor: this.processor, logger: options.logger, intervalMs, ...(options.clock ? { clock: options.clock } : {}) })
        : undefined;
    const maxIdleMs = options.catchUpMaxIdleMs ?? 10_000;
    this.merge = this.topics.length > 1 && maxIdleMs > 0 ? new PartitionMerge({ maxIdleMs, onChange: () => this.mergeChanged() }) : undefined;
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
      // the same partition numbers of every topic to one member, so that it can merge them (ADR 0020)
      partitionAssigners: [coPartitionedAssigner, PartitionAssigners.roundRobin],
    });
    this.consumer = consumer;
    // before connect, so that the first CONNECT and GROUP_JOIN are seen
    this.health.attach(consumer);
    if (this.merge) {
      this.admin = kafka.admin();
      await this.admin.connect();
      // emitted after the join and before the first fetch of the new assignment
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        this.mergeReady = this.joinMerge(event.payload.memberAssignment);
      });
      this.resumeTimer = setInterval(() => this.resumeReadyLanes(), 250);
      this.resumeTimer.unref();
    }
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
    logger.info({ groupId, topics: this.topics, redriveIntervalMs: this.options.redriveIntervalMs ?? 2_000, catchUpMerge: this.merge !== undefined }, 'idempotent consumer started');
  }

  /** Finishes the record (and the letter redrive) in flight, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    await this.redriver?.stop();
    if (this.resumeTimer) clearInterval(this.resumeTimer);
    this.resumeTimer = undefined;
    const consumer = this.consumer;
    this.consumer = undefined;
    this.wakeMergeWaiters();
    if (consumer) await consumer.disconnect();
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.disconnect();
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const lane: LaneId = { topic: batch.topic, partition: batch.partition };
    const records = batch.messages.map((m) => toRawRecord(batch.topic, batch.partition, m));
    if (records.length === 0) return;
    const merge = this.merge;
    // a batch fetched before the merge paused its lane: it is fetched again once the lane resumes
    if (merge && this.isPaused(lane)) return;
    const timestamps = records.map((r) => Number(r.timestamp));
    const firstOffset = BigInt(records[0]!.offset);
    // held before the first await, so that the batches of one fetch all count as in hand before any
    // of them is admitted; again after it, in case a join reset the merge meanwhile
    merge?.hold(lane, firstOffset);
    try {
      await this.mergeReady;
      merge?.hold(lane, firstOffset);
      let next = 0;
      while (next < records.length) {
        if (!payload.isRunning() || payload.isStale()) return;
        const admission = merge ? merge.admit(lane, timestamps, next) : { kind: 'go' as const, count: records.length - next };
        if (admission.kind === 'wait') {
          await payload.heartbeat();
          await this.mergeMoved(250);
          continue;
        }
        if (admission.kind === 'yield') {
          // step aside so that the co-partition holding an earlier record is fetched
          // (paused in kafkajs first: marking it paused in the merge may resume it at once)
          this.consumer?.pause([{ topic: lane.topic, partitions: [lane.partition] }]);
          merge!.paused(lane, timestamps[next]!);
          return;
        }
        if (admission.presumedCaughtUp?.length) {
          this.options.logger.warn({ groupId: this.options.groupId, lane, presumedCaughtUp: admission.presumedCaughtUp }, 'catch-up merge: a co-partition gave nothing for catchUpMaxIdleMs; going on without it');
        }
        const handled = await this.handleRecords(payload, records.slice(next, next + admission.count), lane);
        if (!handled) return; // shutting down: leave it unresolved, it is redelivered
        next += admission.count;
      }
    } finally {
      merge?.release(lane);
    }
  }

  /** Handles consecutive records of one lane, grouped into transactions; false when aborted by a shutdown. */
  private async handleRecords(payload: EachBatchPayload, records: RawRecord[], lane: LaneId): Promise<boolean> {
    const liveness: Liveness = { heartbeat: () => payload.heartbeat(), isRunning: () => payload.isRunning() };
    const groupSize = Math.max(1, this.options.maxRecordsPerTransaction ?? 100);
    for (let start = 0; start < records.length; start += groupSize) {
      if (!payload.isRunning() || payload.isStale()) return false;
      const group = records.slice(start, start + groupSize);
      if (group.length > 1 && (await this.processor.processGroup(group))) {
        this.resolved(payload, lane, group[group.length - 1]!);
        await payload.commitOffsetsIfNecessary();
        await liveness.heartbeat();
        continue;
      }
      for (const record of group) {
        if (!payload.isRunning() || payload.isStale()) return false;
        const outcome = await this.processor.processRecord(record, liveness);
        if (outcome === 'aborted') return false;
        this.resolved(payload, lane, record);
        await payload.commitOffsetsIfNecessary();
      }
    }
    return true;
  }

  private resolved(payload: EachBatchPayload, lane: LaneId, record: RawRecord): void {
    payload.resolveOffset(record.offset);
    this.merge?.advanced(lane, BigInt(record.offset), Number(record.timestamp));
  }

  /** Positions of a new assignment: the committed offsets (or log starts) and the end offsets now. */
  private async joinMerge(assignment: Record<string, number[]>): Promise<void> {
    const merge = this.merge!;
    const { groupId, logger } = this.options;
    // whatever the merge paused belongs to the previous assignment
    const stillPaused = merge.pausedLanes();
    if (stillPaused.length > 0) this.consumer?.resume(stillPaused.map((l) => ({ topic: l.topic, partitions: [l.partition] })));
    merge.reset([]);
    try {
      const topics = Object.keys(assignment);
      const admin = this.admin!;
      const committed = await admin.fetchOffsets({ groupId, topics });
      const positions: LanePosition[] = [];
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const committedOf = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
        for (const partition of assignment[topic] ?? []) {
          const end = ends.find((e) => e.partition === partition);
          if (!end) continue;
          const at = committedOf.get(partition) ?? -1n;
          positions.push({ topic, partition, next: at >= 0n ? at : BigInt(end.low), target: BigInt(end.high) });
        }
      }
      merge.reset(positions);
      const behind = positions.filter((p) => p.next < p.target);
      if (merge.catchingUp) logger.info({ groupId, behind: behind.map((p) => ({ topic: p.topic, partition: p.partition, lag: String(p.target - p.next) })) }, 'catching up in timestamp order across topics');
    } catch (error) {
      // never block consumption on it: without positions the merge holds nothing back
      logger.warn({ groupId, err: error instanceof Error ? error.message : String(error) }, 'catch-up merge: could not read the positions of the assignment; consuming without it');
      merge.reset([]);
    }
  }

  private isPaused(lane: LaneId): boolean {
    return (this.consumer?.paused() ?? []).some((p) => p.topic === lane.topic && p.partitions.includes(lane.partition));
  }

  /** Something a lane may wait for moved: wake the waiting batches, resume the lanes that may go. */
  private mergeChanged(): void {
    this.wakeMergeWaiters();
    this.resumeReadyLanes();
  }

  private resumeReadyLanes(): void {
    if (!this.merge || !this.consumer) return;
    const ready = this.merge.takeResumable();
    if (ready.length > 0) this.consumer.resume(ready.map((l) => ({ topic: l.topic, partitions: [l.partition] })));
  }

  /** Settles when a lane of the merge moves (or after `timeoutMs`). */
  private mergeMoved(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.mergeWaiters.push(done);
    });
  }

  private wakeMergeWaiters(): void {
    const waiters = this.mergeWaiters;
    this.mergeWaiters = [];
    for (const wake of waiters) wake();
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
