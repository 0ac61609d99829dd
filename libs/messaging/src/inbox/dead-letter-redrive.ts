import type { EntityManager } from 'typeorm';
import { isTransientDatabaseError } from '@paystate/persistence';
import type { MessagingLogger } from '../logger';
import { describeError, runAfterCommit } from './handler-context';
import { ClaimedLetter, RedriveStore, SqlRedriveStore } from './dead-letter-store';
import type { RawRecord } from './record-parser';
import type { TransactionRunner } from './record-processor';

/** What one redrive did to one letter. */
export type RedriveOutcome =
  | { letterId: string; outcome: 'applied' | 'already-handled' }
  | { letterId: string; outcome: 'failed-again'; error: string; notAttempted: string[] };

/** The RecordProcessor's path for a stored record (RecordProcessor.applyStored). */
export interface StoredRecordApplier {
  applyStored(manager: EntityManager, record: RawRecord, handlerName: string, afterCommit: (() => void)[]): Promise<'processed' | 'duplicate'>;
}

export interface DeadLetterRedriverOptions {
  dataSource: TransactionRunner;
  groupId: string;
  processor: StoredRecordApplier;
  logger: MessagingLogger;
  /** How often the worker looks for requested letters (ops writes the requests into this database). */
  intervalMs: number;
  clock?: () => Date;
  /** The store over a transaction's manager (the SQL one unless a unit spec gives a fake). */
  storeOf?: (manager: EntityManager) => RedriveStore;
}

/**
 * The dead-letter redrive worker (ADR 0016), run by every consumer beside its IdempotentConsumer
 * with the same handler table. `ops dlq redrive` only writes a request (status 'redrive-requested'
 * and a dead_letter_redrive row); this worker carries it out, one letter per transaction:
 *
 * - claim the first requested letter (FOR UPDATE SKIP LOCKED, head of its key: two instances never
 *   take the same letter, and one key's letters go one after the other, in the order they were parked);
 * - under a savepoint: delete its 'dead-lettered' inbox row and run the stored record through the
 *   RecordProcessor's own path (inbox claim 'processed', handler effects, outbox events);
 * - applied → letter 'redriven', requests 'applied'. The inbox row was already 'processed' (another
 *   path handled the event) → back to the savepoint, letter 'redriven', requests 'already-handled';
 * - the handler fails again → back to the savepoint (its effects are gone), letter 'parked' with the
 *   new error appended, redrive_count + 1, requests 'failed-again'; the later requested letters of
 *   the same key go back to 'parked' unattempted;
 * - a transient database error → the whole transaction rolls back and the letter stays requested
 *   for the next run.
 *
 * Everything about a letter commits together, so a crash at any point leaves it either untouched
 * (still requested, redriven by the next run) or finished; the inbox primary key makes a second
 * application impossible anyway.
 */
export class DeadLetterRedriver {
  private readonly clock: () => Date;
  private readonly storeOf: (manager: EntityManager) => RedriveStore;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: DeadLetterRedriverOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.storeOf = options.storeOf ?? ((manager) => new SqlRedriveStore(manager));
  }

  /** Polls every intervalMs until stop(); runs never overlap. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Finishes the letter in progress and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Redrives requested letters until none is left; returns what it did (for tests and tools). */
  async runOnce(): Promise<RedriveOutcome[]> {
    const done: RedriveOutcome[] = [];
    for (let next = await this.redriveNext(); next; next = await this.redriveNext()) done.push(next);
    return done;
  }

  /** One requested letter, start to finish, in one transaction; undefined when none is waiting. */
  async redriveNext(): Promise<RedriveOutcome | undefined> {
    const { dataSource, groupId, processor, logger } = this.options;
    const afterCommit: (() => void)[] = [];
    const result = await dataSource.transaction(async (manager): Promise<RedriveOutcome | undefined> => {
      const store = this.storeOf(manager);
      const letter = await store.claimNext(groupId);
      if (!letter) return undefined;
      const now = this.clock();
      await store.savepoint();
      try {
        await store.releaseInbox(letter);
        const outcome = await processor.applyStored(manager, letter.record, letter.handler, afterCommit);
        if (outcome === 'duplicate') {
          await store.rollbackToSavepoint();
          afterCommit.length = 0;
          await store.markRedriven(letter, 'already-handled', now, false);
          return { letterId: letter.id, outcome: 'already-handled' };
        }
        await store.markRedriven(letter, 'applied', now, true);
        return { letterId: letter.id, outcome: 'applied' };
      } catch (error) {
        // a database that is away or a serialization conflict says nothing about the handler: try later
        if (isTransientDatabaseError(error)) throw error;
        await store.rollbackToSavepoint();
        afterCommit.length = 0;
        return this.failedAgain(store, letter, error, now);
      }
    });
    if (result) {
      runAfterCommit(afterCommit, logger);
      const log = { groupId, letterId: result.letterId, outcome: result.outcome };
      if (result.outcome === 'failed-again') logger.warn({ ...log, err: result.error, notAttempted: result.notAttempted }, 'dead letter failed again: parked');
      else logger.info(log, 'dead letter redriven');
    }
    return result;
  }

  private async failedAgain(store: RedriveStore, letter: ClaimedLetter, error: unknown, now: Date): Promise<RedriveOutcome> {
    const { name, message } = describeError(error);
    const text = `${name}: ${message}`;
    await store.markFailedAgain(letter, text, now);
    const notAttempted = await store.parkLaterOfKey(this.options.groupId, letter, `not attempted: an earlier letter of key ${letter.key ?? '(none)'} failed again (${letter.id})`, now);
    return { letterId: letter.id, outcome: 'failed-again', error: text, notAttempted };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.loopOnce().finally(() => {
        this.running = undefined;
        this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async loopOnce(): Promise<void> {
    try {
      while (!this.stopped && (await this.redriveNext()) !== undefined) {
        // one letter per transaction, until none is requested
      }
    } catch (error) {
      this.options.logger.error({ groupId: this.options.groupId, err: describeError(error) }, 'dead-letter redrive failed; it runs again at the next tick');
    }
  }
}
