import { backOff } from 'exponential-backoff';
import type { EntityManager } from 'typeorm';
import { isTransientDatabaseError } from '@paystate/persistence';
import { failpoint, perEventType } from '@paystate/failpoints';
import type { MessagingLogger } from '../logger';
import { ConsumeOutcome, ConsumerMetrics } from '../metrics';
import { appendToOutbox } from '../outbox/outbox';
import { ConsumedEvent, EventHandlerDefinition, PoisonMessageError } from './consumed-event';
import { deadLetterId } from '../derived-id';
import { TransactionalHandlerContext, describeError, runAfterCommit } from './handler-context';
import { DeadLetterError, claimInbox, writeDeadLetter } from './inbox-store';
import { HandlerTable, ParsedRecord, RawRecord } from './record-parser';

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

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 10_000, maxAttempts: 5 };

/** What the processor needs of a DataSource: one transaction at a time (a fake one in unit specs). */
export interface TransactionRunner {
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

/** The broker's side of a record in flight: keep the group membership alive, notice a shutdown. */
export interface Liveness {
  heartbeat(): Promise<void>;
  isRunning(): boolean;
}

/** `aborted`: the consumer is stopping; the record stays unresolved and is redelivered. */
export type RecordOutcome = ConsumeOutcome | 'aborted';

export interface RecordProcessorOptions {
  dataSource: TransactionRunner;
  groupId: string;
  handlers: readonly EventHandlerDefinition[];
  logger: MessagingLogger;
  metrics?: ConsumerMetrics;
  retry?: Partial<RetryPolicy>;
  clock?: () => Date;
  /** Called after a record's transaction committed (and before its offset is resolved); for tracing and benchmarks. */
  onCommitted?: (record: RawRecord, outcome: ConsumeOutcome) => void;
}

/** A record whose outcome is committed (or needed no transaction: ignored). */
interface Finished {
  record: RawRecord;
  parsed: ParsedRecord;
  outcome: ConsumeOutcome;
}

/**
 * What happens to a record between the broker and the offset commit, with no broker in sight: the
 * inbox row, the handler's effects and its emitted events in one transaction; retries (transient
 * database errors forever, other failures up to maxAttempts); dead letters; unknown types ignored
 * and counted. Its caller resolves a record's offset only once this returned an outcome.
 */
export class RecordProcessor {
  private readonly table: HandlerTable;
  private readonly retry: RetryPolicy;
  private readonly metrics: ConsumerMetrics;
  private readonly clock: () => Date;

  constructor(private readonly options: RecordProcessorOptions) {
    this.table = new HandlerTable(options.groupId, options.handlers);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.metrics = options.metrics ?? new ConsumerMetrics();
    this.clock = options.clock ?? (() => new Date());
  }

  get topics(): string[] {
    return this.table.topics;
  }

  /**
   * The fast path: every record of the group in one transaction. Returns false (having changed
   * nothing) if any record is poison or any handler fails; the caller then goes record by record.
   */
  async processGroup(group: readonly RawRecord[]): Promise<boolean> {
    const parsed = group.map((record) => ({ record, parsed: this.table.parse(record) }));
    if (parsed.some((p) => p.parsed.kind === 'poison')) return false;
    const started = process.hrtime.bigint();
    const afterCommit: (() => void)[] = [];
    let outcomes: ConsumeOutcome[];
    try {
      outcomes = await this.options.dataSource.transaction(async (manager) => {
        const results: ConsumeOutcome[] = [];
        for (const { parsed: p } of parsed) {
          if (p.kind !== 'event') {
            results.push('ignored');
            continue;
          }
          results.push(await this.applyWith(manager, p.handler, p.event, afterCommit));
        }
        return results;
      });
    } catch (error) {
      this.options.logger.debug({ groupId: this.options.groupId, err: describeError(error) }, 'group transaction failed; replaying record by record');
      return false;
    }
    const secondsEach = Number(process.hrtime.bigint() - started) / 1e9 / group.length;
    this.finish(
      parsed.map((p, i) => ({ ...p, outcome: outcomes[i]! })),
      afterCommit,
      secondsEach,
    );
    return true;
  }

  /** One record, start to finish: applied, a duplicate, ignored, dead-lettered, or aborted by a shutdown. */
  async processRecord(record: RawRecord, liveness: Liveness): Promise<RecordOutcome> {
    const started = process.hrtime.bigint();
    const parsed = this.table.parse(record);
    let outcome: RecordOutcome;
    let afterCommit: (() => void)[] = [];

    if (parsed.kind === 'ignored') {
      outcome = 'ignored';
    } else if (parsed.kind === 'poison') {
      this.options.logger.warn({ ...this.logFields(record), reason: parsed.reason }, 'poison message: dead-lettering');
      outcome = await this.deadLetter(record, parsed.handlerName, parsed.eventId, { kind: 'poison', name: 'PoisonMessage', message: parsed.reason }, 1, liveness);
    } else {
      const applied = await this.applyWithRetries(record, parsed.handler, parsed.event, liveness);
      outcome = applied.outcome;
      afterCommit = applied.afterCommit;
    }

    if (outcome !== 'aborted') {
      this.finish([{ record, parsed, outcome }], afterCommit, Number(process.hrtime.bigint() - started) / 1e9);
    }
    return outcome;
  }

  /**
   * The bookkeeping once records are committed, the same for a group and for one record: the crash
   * points between the database commit and the offset commit, the handlers' after-commit callbacks,
   * metrics and the onCommitted hook. The offset is resolved by the caller afterwards.
   */
  private finish(records: readonly Finished[], afterCommit: readonly (() => void)[], secondsEach: number): void {
    const { groupId, logger, onCommitted } = this.options;
    failpoint('consumer.after-db-commit');
    for (const { parsed } of records) if (parsed.kind === 'event') failpoint(perEventType('consumer.after-db-commit', parsed.event.type));
    runAfterCommit(afterCommit, logger);
    for (const { record, parsed, outcome } of records) {
      this.metrics.consumed.inc({ group: groupId, topic: record.topic, type: record.headers['eventType'] ?? 'unknown', outcome });
      if (parsed.kind === 'event') this.metrics.handlerSeconds.observe({ group: groupId, handler: parsed.handler.name }, secondsEach);
      onCommitted?.(record, outcome);
      logger.debug({ ...this.logFields(record), outcome }, 'record handled');
    }
  }

  /** The retry policy around one record's transaction; a record that cannot be applied is dead-lettered. */
  private async applyWithRetries(
    record: RawRecord,
    handler: EventHandlerDefinition,
    event: ConsumedEvent,
    liveness: Liveness,
  ): Promise<{ outcome: RecordOutcome; afterCommit: (() => void)[] }> {
    const { groupId, logger } = this.options;
    const log = this.logFields(record);
    let attempts = 0;
    let lastError: unknown;
    try {
      return await backOff(
        async () => {
          attempts += 1;
          // callbacks of an attempt that rolled back are dropped with it
          const afterCommit: (() => void)[] = [];
          const outcome = await this.options.dataSource.transaction((manager) => this.applyWith(manager, handler, event, afterCommit));
          return { outcome, afterCommit };
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
            if (retriable && liveness.isRunning()) {
              this.metrics.retries.inc({ group: groupId, handler: handler.name, transient: String(transient) });
              logger.warn({ ...log, attempt, transient, err: describeError(error) }, 'handler failed; retrying with backoff');
              await liveness.heartbeat();
            }
            return retriable && liveness.isRunning();
          },
        },
      );
    } catch {
      if (!liveness.isRunning()) return { outcome: 'aborted', afterCommit: [] };
      const poison = lastError instanceof PoisonMessageError;
      logger.error({ ...log, attempts, err: describeError(lastError) }, poison ? 'handler rejected the event: dead-lettering' : 'retries exhausted: dead-lettering');
      const { name, message } = describeError(lastError);
      const outcome = await this.deadLetter(record, handler.name, event.id, { kind: poison ? 'poison' : 'retries-exhausted', name, message }, attempts, liveness);
      return { outcome, afterCommit: [] };
    }
  }

  /** Inbox row, handler effects and emitted events, inside the given transaction. */
  private async applyWith(manager: EntityManager, handler: EventHandlerDefinition, event: ConsumedEvent, afterCommit: (() => void)[]): Promise<ConsumeOutcome> {
    const fresh = await claimInbox(manager, handler.name, event.id, event, 'processed');
    if (!fresh) return 'duplicate';
    const ctx = new TransactionalHandlerContext(manager, event, this.clock(), handler.name);
    await handler.handle(event, ctx);
    await appendToOutbox(manager, ctx.pending);
    afterCommit.push(...ctx.committed);
    return 'processed';
  }

  /**
   * Parks a record: the inbox row (so a redelivery is a duplicate), a dead_letter row for ops and a
   * DeadLetter event on deadletter.events commit together. Retried while the database is away.
   */
  private async deadLetter(record: RawRecord, handlerName: string, eventId: string, error: DeadLetterError, attempts: number, liveness: Liveness): Promise<RecordOutcome> {
    const { groupId, dataSource, logger } = this.options;
    try {
      return await backOff(
        () =>
          dataSource.transaction(async (manager): Promise<ConsumeOutcome> => {
            const fresh = await claimInbox(manager, handlerName, eventId, record, 'dead-lettered');
            if (!fresh) return 'duplicate';
            await writeDeadLetter(manager, { id: deadLetterId(groupId, handlerName, eventId), groupId, handlerName, eventId, record, error, attempts, at: this.clock() });
            return 'dead-lettered';
          }),
        {
          numOfAttempts: Number.MAX_SAFE_INTEGER,
          startingDelay: this.retry.initialDelayMs,
          maxDelay: this.retry.maxDelayMs,
          retry: async (e: unknown) => {
            logger.error({ groupId, topic: record.topic, offset: record.offset, err: describeError(e) }, 'could not write the dead letter; retrying');
            await liveness.heartbeat();
            return liveness.isRunning();
          },
        },
      );
    } catch {
      return 'aborted';
    }
  }

  private logFields(record: RawRecord) {
    return {
      groupId: this.options.groupId,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      eventId: record.headers['id'],
      eventType: record.headers['eventType'],
    };
  }
}
