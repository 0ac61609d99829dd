import { randomUUID } from 'node:crypto';
import { backOff } from 'exponential-backoff';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { DeadLetterV1, EventContract, PayloadOf } from '@paystate/contracts';
import { isTransientDatabaseError } from '@paystate/persistence';
import { failpoint, perEventType } from '@paystate/failpoints';
import { decodeHeaders } from '../headers';
import type { MessagingLogger } from '../logger';
import { ConsumeOutcome, ConsumerMetrics } from '../metrics';
import { OutboxEvent, appendToOutbox } from '../outbox/outbox';
import { ConsumedEvent, EmitOptions, EventHandlerDefinition, HandlerContext, PoisonMessageError } from './consumed-event';
import { HandlerTable, RawRecord } from './record-parser';

export interface RetryPolicy {
  /** First backoff, doubled on every further attempt (with jitter) up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * Attempts for failures that are not known to be transient (a bug, an unexpected error) before
   * the record is dead-lettered. Transient database errors are retried for as long as it takes:
   * skipping them would lose the message.
   */
  maxAttempts: number;
}

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
  /** Called after a record's transaction committed (and before its offset is resolved); for tracing and benchmarks. */
  onCommitted?: (record: RawRecord, outcome: ConsumeOutcome) => void;
}

const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 10_000, maxAttempts: 5 };

type Outcome = ConsumeOutcome | 'aborted';

class TransactionalHandlerContext implements HandlerContext {
  readonly pending: OutboxEvent[] = [];
  readonly committed: (() => void)[] = [];
  constructor(readonly manager: EntityManager, readonly event: ConsumedEvent, readonly now: Date) {}

  emit<C extends EventContract>(contract: C, payload: PayloadOf<C>, options: EmitOptions = {}): void {
    this.pending.push({
      contract,
      payload,
      aggregateId: options.aggregateId ?? this.event.correlationId,
      ...(options.id ? { id: options.id } : {}),
      cause: { correlationId: this.event.correlationId, causationId: this.event.id, traceparent: this.event.traceparent },
      occurredAt: this.now,
    });
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }
}

/** After-commit callbacks must never break the consumer: they are wake-ups, not effects. */
function runAfterCommit(callbacks: (() => void)[], logger: MessagingLogger): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      logger.warn({ err: describe(error) }, 'after-commit callback failed');
    }
  }
}

/**
 * At-least-once delivery made safe: for every record, the inbox row (handler + event id), the
 * handler's effects and the events it emits commit in one database transaction, and the Kafka
 * offset is resolved only after that commit. A redelivered record finds its inbox row and has no
 * effect. Records of one partition are handled strictly in order; a failing record blocks its
 * partition (retried with backoff) until it succeeds or is dead-lettered, never skipped.
 */
export class IdempotentConsumer {
  private readonly table: HandlerTable;
  private readonly retry: RetryPolicy;
  private readonly metrics: ConsumerMetrics;
  private readonly clock: () => Date;
  private consumer: Consumer | undefined;

  constructor(private readonly options: IdempotentConsumerOptions) {
    this.table = new HandlerTable(options.groupId, options.handlers);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.metrics = options.metrics ?? new ConsumerMetrics();
    this.clock = options.clock ?? (() => new Date());
  }

  get topics(): string[] {
    return this.table.topics;
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
    await consumer.connect();
    await consumer.subscribe({ topics: this.table.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      autoCommitThreshold: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
    logger.info({ groupId, topics: this.table.topics }, 'idempotent consumer started');
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const isRunning = () => payload.isRunning();
    const records = batch.messages.map((m) => toRawRecord(batch.topic, batch.partition, m));
    const groupSize = Math.max(1, this.options.maxRecordsPerTransaction ?? 100);
    for (let start = 0; start < records.length; start += groupSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const group = records.slice(start, start + groupSize);
      if (group.length > 1 && (await this.applyGroup(group))) {
        payload.resolveOffset(group[group.length - 1]!.offset);
        await payload.commitOffsetsIfNecessary();
        await heartbeat();
        continue;
      }
      for (const record of group) {
        if (!payload.isRunning() || payload.isStale()) return;
        const outcome = await this.handleRecord(record, heartbeat, isRunning);
        if (outcome === 'aborted') return; // shutting down: leave it unresolved, it is redelivered
        payload.resolveOffset(record.offset);
        await payload.commitOffsetsIfNecessary();
      }
    }
  }

  /**
   * The fast path: every record of the group in one transaction. Returns false (having changed
   * nothing) if any record is poison or any handler fails; the caller then goes record by record.
   */
  private async applyGroup(group: RawRecord[]): Promise<boolean> {
    const parsed = group.map((record) => ({ record, parsed: this.table.parse(record) }));
    if (parsed.some((p) => p.parsed.kind === 'poison')) return false;
    const started = process.hrtime.bigint();
    let outcomes: ConsumeOutcome[];
    const committed: (() => void)[] = [];
    try {
      outcomes = await this.options.dataSource.transaction(async (manager) => {
        const results: ConsumeOutcome[] = [];
        for (const { parsed: p } of parsed) {
          if (p.kind !== 'event') {
            results.push('ignored');
            continue;
          }
          results.push(await this.applyWith(manager, p.handler, p.event, committed));
        }
        return results;
      });
    } catch (error) {
      this.options.logger.debug({ groupId: this.options.groupId, err: describe(error) }, 'group transaction failed; replaying record by record');
      return false;
    }
    failpoint('consumer.after-db-commit');
    for (const { parsed: p } of parsed) if (p.kind === 'event') failpoint(perEventType('consumer.after-db-commit', p.event.type));
    runAfterCommit(committed, this.options.logger);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9 / group.length;
    parsed.forEach(({ record, parsed: p }, i) => {
      const outcome = outcomes[i]!;
      this.metrics.consumed.inc({ group: this.options.groupId, topic: record.topic, type: record.headers['eventType'] ?? 'unknown', outcome });
      if (p.kind === 'event') this.metrics.handlerSeconds.observe({ group: this.options.groupId, handler: p.handler.name }, seconds);
      this.options.onCommitted?.(record, outcome);
    });
    return true;
  }

  /** Finishes the record in flight, commits resolved offsets and leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await consumer.disconnect();
  }

  /** One record, start to finish; exposed for tests that drive the core without a broker. */
  async handleRecord(record: RawRecord, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<Outcome> {
    const { groupId, logger } = this.options;
    const started = process.hrtime.bigint();
    const parsed = this.table.parse(record);
    const log = { groupId, topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, eventId: record.headers['id'], eventType: record.headers['eventType'] };

    let outcome: Outcome;
    if (parsed.kind === 'ignored') {
      outcome = 'ignored';
    } else if (parsed.kind === 'poison') {
      logger.warn({ ...log, reason: parsed.reason }, 'poison message: dead-lettering');
      outcome = await this.deadLetter(record, parsed.handlerName, parsed.eventId, { kind: 'poison', name: 'PoisonMessage', message: parsed.reason }, 1, heartbeat, isRunning);
    } else {
      let attempts = 0;
      let lastError: unknown;
      outcome = await backOff(
        async () => {
          attempts += 1;
          return this.applyInTransaction(parsed.handler, parsed.event);
        },
        {
          numOfAttempts: Number.MAX_SAFE_INTEGER,
          startingDelay: this.retry.initialDelayMs,
          maxDelay: this.retry.maxDelayMs,
          jitter: 'full',
          retry: async (error: unknown, attempt: number) => {
            lastError = error;
            const transient = isTransientDatabaseError(error);
            const retriable = !(error instanceof PoisonMessageError) && (transient || attempt < this.retry.maxAttempts);
            if (retriable && isRunning()) {
              this.metrics.retries.inc({ group: groupId, handler: parsed.handler.name, transient: String(transient) });
              logger.warn({ ...log, attempt, transient, err: describe(error) }, 'handler failed; retrying with backoff');
              await heartbeat();
            }
            return retriable && isRunning();
          },
        },
      ).catch(async () => {
        if (!isRunning()) return 'aborted' as const;
        const poison = lastError instanceof PoisonMessageError;
        logger.error({ ...log, attempts, err: describe(lastError) }, poison ? 'handler rejected the event: dead-lettering' : 'retries exhausted: dead-lettering');
        const { name, message } = describe(lastError);
        return this.deadLetter(record, parsed.handler.name, parsed.event.id, { kind: poison ? 'poison' : 'retries-exhausted', name, message }, attempts, heartbeat, isRunning);
      });
    }

    if (outcome !== 'aborted') {
      failpoint('consumer.after-db-commit');
      if (parsed.kind === 'event') failpoint(perEventType('consumer.after-db-commit', parsed.event.type));
      this.options.onCommitted?.(record, outcome);
      this.metrics.consumed.inc({ group: groupId, topic: record.topic, type: record.headers['eventType'] ?? 'unknown', outcome });
      if (parsed.kind === 'event') {
        this.metrics.handlerSeconds.observe({ group: groupId, handler: parsed.handler.name }, Number(process.hrtime.bigint() - started) / 1e9);
      }
      logger.debug({ ...log, outcome }, 'record handled');
    }
    return outcome;
  }

  private async applyInTransaction(handler: EventHandlerDefinition, event: ConsumedEvent): Promise<ConsumeOutcome> {
    const committed: (() => void)[] = [];
    const outcome = await this.options.dataSource.transaction((manager) => this.applyWith(manager, handler, event, committed));
    runAfterCommit(committed, this.options.logger);
    return outcome;
  }

  /** Inbox row, handler effects and emitted events, inside the given transaction. */
  private async applyWith(manager: EntityManager, handler: EventHandlerDefinition, event: ConsumedEvent, committed: (() => void)[]): Promise<ConsumeOutcome> {
    const fresh = await claimInbox(manager, handler.name, event.id, event, 'processed');
    if (!fresh) return 'duplicate';
    const ctx = new TransactionalHandlerContext(manager, event, this.clock());
    await handler.handle(event, ctx);
    await appendToOutbox(manager, ctx.pending);
    committed.push(...ctx.committed);
    return 'processed';
  }

  /**
   * Parks a record: the inbox row (so a redelivery is a duplicate), a dead_letter row for ops and a
   * DeadLetter event on deadletter.events commit together. Retried while the database is away.
   */
  private async deadLetter(
    record: RawRecord,
    handlerName: string,
    eventId: string,
    error: { kind: 'poison' | 'retries-exhausted'; name: string; message: string },
    attempts: number,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<Outcome> {
    const { groupId, dataSource, logger } = this.options;
    try {
      return await backOff(
        () =>
          dataSource.transaction(async (manager): Promise<ConsumeOutcome> => {
            const fresh = await claimInbox(manager, handlerName, eventId, record, 'dead-lettered');
            if (!fresh) return 'duplicate';
            const now = this.clock();
            const id = randomUUID();
            await manager.query(
              `INSERT INTO dead_letter (id, handler, consumer_group, event_id, topic, kafka_partition, kafka_offset, kafka_key, headers, value, error_kind, error, attempts, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
              [id, handlerName, groupId, eventId, record.topic, record.partition, record.offset, record.key, JSON.stringify(record.headers), record.value, error.kind, `${error.name}: ${error.message}`, attempts, now],
            );
            await appendToOutbox(manager, [
              {
                id,
                contract: DeadLetterV1,
                payload: { original: record, consumerGroup: groupId, handler: handlerName, error, attempts, deadLetteredAt: now.toISOString() },
                aggregateId: record.key ?? eventId,
                cause: { correlationId: record.headers['correlationId'] ?? record.key ?? eventId, causationId: eventId, traceparent: record.headers['traceparent'] },
                occurredAt: now,
              },
            ]);
            return 'dead-lettered';
          }),
        {
          numOfAttempts: Number.MAX_SAFE_INTEGER,
          startingDelay: this.retry.initialDelayMs,
          maxDelay: this.retry.maxDelayMs,
          retry: async (e: unknown) => {
            logger.error({ groupId, topic: record.topic, offset: record.offset, err: describe(e) }, 'could not write the dead letter; retrying');
            await heartbeat();
            return isRunning();
          },
        },
      );
    } catch {
      return 'aborted';
    }
  }
}

async function claimInbox(
  manager: EntityManager,
  handler: string,
  eventId: string,
  at: { topic: string; partition: number; offset: string },
  outcome: 'processed' | 'dead-lettered',
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO inbox (handler, event_id, topic, kafka_partition, kafka_offset, outcome)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (handler, event_id) DO NOTHING RETURNING event_id`,
    [handler, eventId, at.topic, at.partition, at.offset, outcome],
  );
  return rows.length === 1;
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

function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  if (error && typeof error === 'object' && 'message' in error) return { name: 'Error', message: String(error.message) };
  return { name: 'Error', message: String(error) };
}
