import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { OrderPlacedV1, PaymentAuthorisedV1 } from '@paystate/contracts';
import { deadLetterId, derivedId, emittedEventId } from '../derived-id';
import { ConsumerMetrics } from '../metrics';
import { ConsumedEvent, HandlerContext, PoisonMessageError, defineHandler } from './consumed-event';
import type { RawRecord } from './record-parser';
import { Liveness, RecordProcessor, RecordProcessorOptions, TransactionRunner } from './record-processor';

/**
 * The record processor without a broker or a database. The fake below is no database: it only
 * records the statements of each transaction and whether it committed, and answers the inbox claim
 * the way the primary key would (a claim committed before, or staged earlier in the same
 * transaction, returns no row). That the SQL itself is right is proven against PostgreSQL by
 * libs/messaging/test/idempotent-consumer.int.spec.ts.
 */
const serializationFailure = () => Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });

interface Statement {
  sql: string;
  params: unknown[];
}

interface FakeTransaction {
  statements: Statement[];
  state: 'open' | 'committed' | 'rolled-back';
}

class RecordingTransactions implements TransactionRunner {
  readonly transactions: FakeTransaction[] = [];
  /** What happened, in order: `handle <id>`, `commit`, `rollback`, `after-commit <id>`. */
  readonly journal: string[];
  private readonly inbox = new Map<string, unknown>();
  /** COMMITs still to fail with SQLSTATE 40001, as PostgreSQL's serializable isolation may at commit. */
  failCommits = 0;

  constructor(journal: string[]) {
    this.journal = journal;
  }

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const tx: FakeTransaction = { statements: [], state: 'open' };
    this.transactions.push(tx);
    const staged = new Map<string, unknown>();
    const query = async (sql: string, params: unknown[] = []): Promise<unknown[]> => {
      if (tx.state !== 'open') throw new Error('statement after the end of its transaction');
      const text = sql.replace(/\s+/g, ' ').trim();
      tx.statements.push({ sql: text, params });
      if (text.startsWith('INSERT INTO inbox')) {
        const key = `${String(params[0])}|${String(params[1])}`;
        if (this.inbox.has(key) || staged.has(key)) return [];
        staged.set(key, params[5]);
        return [{ event_id: params[1] }];
      }
      return [];
    };
    // the slice of an EntityManager the processor, appendToOutbox and these handlers use
    const manager = { query, queryRunner: { isTransactionActive: true } } as unknown as EntityManager;
    try {
      const result = await work(manager);
      if (this.failCommits > 0) {
        this.failCommits -= 1;
        throw serializationFailure();
      }
      for (const [key, outcome] of staged) this.inbox.set(key, outcome);
      tx.state = 'committed';
      this.journal.push('commit');
      return result;
    } catch (error) {
      tx.state = 'rolled-back';
      this.journal.push('rollback');
      throw error;
    }
  }

  committed(prefix: string): Statement[] {
    return this.transactions.filter((t) => t.state === 'committed').flatMap((t) => t.statements.filter((s) => s.sql.startsWith(prefix)));
  }

  count(state: FakeTransaction['state']): number {
    return this.transactions.filter((t) => t.state === state).length;
  }
}

const EVENT_ID = '5f0c3a4e-1d2b-4c3d-9e8f-7a6b5c4d3e2f';

const aRecord = (overrides: Partial<RawRecord> = {}, headers: Record<string, string> = {}): RawRecord => ({
  topic: OrderPlacedV1.topic,
  partition: 0,
  offset: '7',
  key: OrderPlacedV1.example.orderId,
  headers: {
    id: EVENT_ID,
    eventType: 'OrderPlaced',
    eventVersion: '1',
    correlationId: OrderPlacedV1.example.orderId,
    causationId: 'c0ffee00-0000-4000-8000-000000000001',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ...headers,
  },
  value: JSON.stringify(OrderPlacedV1.example),
  timestamp: '1795000000000',
  ...overrides,
});

const running: Liveness = { heartbeat: async () => undefined, isRunning: () => true };

/** A handler that records its calls, writes one effect row and asks for a wake-up after commit; `fail` decides per call. */
function aSubject(fail: (call: number, event: ConsumedEvent, ctx: HandlerContext) => void = () => undefined, options: Partial<RecordProcessorOptions> = {}) {
  const journal: string[] = [];
  const db = new RecordingTransactions(journal);
  const metrics = new ConsumerMetrics(new Registry());
  const committed: [string, string][] = [];
  let calls = 0;
  const handler = defineHandler(OrderPlacedV1, 'spec.OrderPlaced', async (event, ctx) => {
    calls += 1;
    journal.push(`handle ${event.id}`);
    await ctx.manager.query('INSERT INTO effect (order_id) VALUES ($1)', [event.payload.orderId]);
    ctx.afterCommit(() => journal.push(`after-commit ${event.id}`));
    fail(calls, event, ctx);
  });
  const processor = new RecordProcessor({
    dataSource: db,
    groupId: 'spec',
    handlers: [handler],
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics,
    retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
    clock: () => new Date('2026-12-01T12:00:00.000Z'),
    onCommitted: (record, outcome) => committed.push([record.offset, outcome]),
    ...options,
  });
  const consumed = async (outcome: string) =>
    (await metrics.consumed.get()).values.filter((v) => v.labels['outcome'] === outcome).reduce((sum, v) => sum + v.value, 0);
  const retries = async (transient: string) =>
    (await metrics.retries.get()).values.filter((v) => v.labels['transient'] === transient).reduce((sum, v) => sum + v.value, 0);
  return { processor, db, journal, committed, consumed, retries, calls: () => calls };
}

describe('RecordProcessor', () => {
  it('applies an event once: inbox row and effect in one committed transaction, then the after-commit hook', async () => {
    const { processor, db, journal, committed, consumed } = aSubject();

    expect(await processor.processRecord(aRecord(), running)).toBe('processed');

    expect(db.count('committed')).toBe(1);
    expect(db.committed('INSERT INTO inbox')).toEqual([{ sql: expect.any(String), params: ['spec.OrderPlaced', EVENT_ID, 'order.events', 0, '7', 'processed'] }]);
    expect(db.committed('INSERT INTO effect')).toHaveLength(1);
    expect(journal).toEqual([`handle ${EVENT_ID}`, 'commit', `after-commit ${EVENT_ID}`]);
    expect(committed).toEqual([['7', 'processed']]);
    expect(await consumed('processed')).toBe(1);
  });

  it('given the event was applied, when the same event id arrives again (redelivered or re-produced), then the handler is not called and the effect stays committed once', async () => {
    const { processor, db, journal, calls, consumed } = aSubject();
    await processor.processRecord(aRecord(), running);

    expect(await processor.processRecord(aRecord(), running)).toBe('duplicate');
    expect(await processor.processRecord(aRecord({ offset: '8' }), running)).toBe('duplicate');

    expect(calls()).toBe(1);
    expect(db.committed('INSERT INTO effect')).toHaveLength(1);
    expect(journal.filter((j) => j.startsWith('after-commit'))).toHaveLength(1);
    expect(await consumed('duplicate')).toBe(2);
  });

  it('emits into the outbox in the transaction of the inbox row and the effect', async () => {
    const { processor, db } = aSubject((_call, event, ctx) =>
      ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId: (event.payload as { orderId: string }).orderId }),
    );

    await processor.processRecord(aRecord(), running);

    const [tx] = db.transactions;
    expect(db.transactions).toHaveLength(1);
    expect(tx!.state).toBe('committed');
    expect(tx!.statements.map((s) => s.sql.split(' (')[0])).toEqual(['INSERT INTO inbox', 'INSERT INTO effect', 'INSERT INTO outbox', 'DELETE FROM outbox WHERE id = ANY($1::uuid[])']);
    expect(tx!.statements[2]!.params).toEqual(expect.arrayContaining(['PaymentAuthorised', OrderPlacedV1.example.orderId, EVENT_ID]));
  });

  it('retries a handler that fails with SQLSTATE 40001, past maxAttempts, and applies the event once', async () => {
    const { processor, db, journal, calls, retries } = aSubject((call) => {
      if (call <= 4) throw serializationFailure();
    });

    expect(await processor.processRecord(aRecord(), running)).toBe('processed');

    expect(calls()).toBe(5); // maxAttempts is 3: a transient error is not counted against it
    expect(await retries('true')).toBe(4);
    expect(db.count('rolled-back')).toBe(4);
    expect(db.committed('INSERT INTO effect')).toHaveLength(1);
    expect(db.committed('INSERT INTO dead_letter')).toHaveLength(0);
    // the hooks of the four rolled-back attempts are dropped with them
    expect(journal.filter((j) => j.startsWith('after-commit'))).toEqual([`after-commit ${EVENT_ID}`]);
    expect(journal.slice(-2)).toEqual(['commit', `after-commit ${EVENT_ID}`]);
  });

  it('retries a transaction whose COMMIT fails with 40001, and runs the hook of the attempt that committed only', async () => {
    const { processor, db, journal, calls } = aSubject();
    db.failCommits = 2;

    expect(await processor.processRecord(aRecord(), running)).toBe('processed');

    expect(calls()).toBe(3);
    expect(db.count('rolled-back')).toBe(2);
    expect(journal.filter((j) => j.startsWith('after-commit'))).toEqual([`after-commit ${EVENT_ID}`]);
  });

  it('dead-letters an event whose handler keeps failing with an unexpected error after maxAttempts, and never runs its after-commit hooks', async () => {
    const { processor, db, journal, calls, committed } = aSubject(() => {
      throw new TypeError('a bug');
    });

    expect(await processor.processRecord(aRecord(), running)).toBe('dead-lettered');

    expect(calls()).toBe(3);
    expect(db.committed('INSERT INTO effect')).toHaveLength(0);
    expect(db.committed('INSERT INTO inbox')).toEqual([expect.objectContaining({ params: ['spec.OrderPlaced', EVENT_ID, 'order.events', 0, '7', 'dead-lettered'] })]);
    const [letter] = db.committed('INSERT INTO dead_letter');
    expect(letter!.params).toEqual(expect.arrayContaining(['spec.OrderPlaced', 'spec', EVENT_ID, 'retries-exhausted', 'TypeError: a bug', 3]));
    expect(db.committed('INSERT INTO outbox')[0]!.params).toEqual(expect.arrayContaining(['DeadLetter']));
    expect(journal.filter((j) => j.startsWith('after-commit'))).toEqual([]);
    expect(committed).toEqual([['7', 'dead-lettered']]);
  });

  it('dead-letters at once an event its handler rejects with PoisonMessageError', async () => {
    const { processor, db, calls } = aSubject(() => {
      throw new PoisonMessageError('breaks an invariant');
    });

    expect(await processor.processRecord(aRecord(), running)).toBe('dead-lettered');

    expect(calls()).toBe(1);
    expect(db.committed('INSERT INTO dead_letter')[0]!.params).toEqual(expect.arrayContaining(['poison', 'PoisonMessageError: breaks an invariant', 1]));
  });

  it.each([
    ['an unknown version', aRecord({}, { eventVersion: '9' }), 'unknown version 9'],
    ['a payload that breaks its contract', aRecord({ value: '{"orderId":"not-a-uuid"}' }), 'violates OrderPlaced v1'],
  ])('dead-letters %s at once, without calling the handler', async (_what, record, reason) => {
    const { processor, db, calls, consumed } = aSubject();

    expect(await processor.processRecord(record, running)).toBe('dead-lettered');

    expect(calls()).toBe(0);
    expect(db.transactions).toHaveLength(1);
    const [letter] = db.committed('INSERT INTO dead_letter');
    expect(letter!.params).toEqual(expect.arrayContaining(['spec.OrderPlaced', 'poison', expect.stringContaining(reason), 1, record.value]));
    expect(await consumed('dead-lettered')).toBe(1);
  });

  it('ignores and counts a type nothing here handles: no transaction, the offset may move on', async () => {
    const { processor, db, calls, committed, consumed } = aSubject();

    expect(await processor.processRecord(aRecord({}, { eventType: 'OrderRenamed' }), running)).toBe('ignored');

    expect(calls()).toBe(0);
    expect(db.transactions).toHaveLength(0);
    expect(committed).toEqual([['7', 'ignored']]);
    expect(await consumed('ignored')).toBe(1);
  });

  it('gives up a failing record when the consumer stops: aborted, nothing committed or counted, so it is redelivered', async () => {
    let isRunning = true;
    const { processor, db, committed, consumed } = aSubject(() => {
      isRunning = false;
      throw serializationFailure();
    });

    expect(await processor.processRecord(aRecord(), { heartbeat: async () => undefined, isRunning: () => isRunning })).toBe('aborted');

    expect(db.count('committed')).toBe(0);
    expect(committed).toEqual([]);
    expect(await consumed('processed')).toBe(0);
  });

  describe('a group of records in one transaction', () => {
    const group = [aRecord({ offset: '1' }, { id: '00000000-0000-4000-8000-000000000001' }), aRecord({ offset: '2' }, { eventType: 'OrderRenamed' }), aRecord({ offset: '3' }, { id: '00000000-0000-4000-8000-000000000003' })];

    it('commits every inbox row and effect together, then runs the after-commit hooks', async () => {
      const { processor, db, journal, committed } = aSubject();

      expect(await processor.processGroup(group)).toBe(true);

      expect(db.transactions).toHaveLength(1);
      expect(db.committed('INSERT INTO inbox')).toHaveLength(2);
      expect(journal).toEqual([
        'handle 00000000-0000-4000-8000-000000000001',
        'handle 00000000-0000-4000-8000-000000000003',
        'commit',
        'after-commit 00000000-0000-4000-8000-000000000001',
        'after-commit 00000000-0000-4000-8000-000000000003',
      ]);
      expect(committed).toEqual([['1', 'processed'], ['2', 'ignored'], ['3', 'processed']]);
    });

    it('rolls the whole group back when one handler fails, runs no hook, and leaves the records to be replayed one by one', async () => {
      const { processor, db, journal, committed } = aSubject((call) => {
        if (call === 2) throw serializationFailure();
      });

      expect(await processor.processGroup(group)).toBe(false);

      expect(db.count('committed')).toBe(0);
      expect(journal.filter((j) => j.startsWith('after-commit'))).toEqual([]);
      expect(committed).toEqual([]);
    });

    it('does not open a transaction for a group holding poison', async () => {
      const { processor, db } = aSubject();

      expect(await processor.processGroup([...group, aRecord({ offset: '4' }, { eventVersion: '9' })])).toBe(false);

      expect(db.transactions).toHaveLength(0);
    });
  });
});

describe('replay-safe ids (README, "Replay-safe ids")', () => {
  const OTHER_EVENT_ID = '6a1d4b5f-2e3c-4d4e-8f90-8b7c6d5e4f30';
  /** A handler that emits two events and creates one row with a derived id, as the apps' handlers do. */
  const emitting = () =>
    aSubject((_call, event, ctx) => {
      const orderId = (event.payload as { orderId: string }).orderId;
      ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId });
      ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId });
      void ctx.manager.query('INSERT INTO row_with_id (id) VALUES ($1)', [ctx.deriveId('row')]);
    });
  /** The ids of the events the committed transactions wrote to the outbox, in order (10 columns a row, the id first). */
  const emittedIds = (db: RecordingTransactions): unknown[] => db.committed('INSERT INTO outbox').flatMap((s) => s.params.filter((_p, i) => i % 10 === 0));
  const rowIds = (db: RecordingTransactions): unknown[] => db.committed('INSERT INTO row_with_id').map((s) => s.params[0]);
  const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('given the same record processed twice against fresh state (a replay after the inbox forgot it), then it emits the same event ids and creates the same row ids', async () => {
    const first = emitting();
    const second = emitting();

    expect(await first.processor.processRecord(aRecord(), running)).toBe('processed');
    expect(await second.processor.processRecord(aRecord({ offset: '4711' }), running)).toBe('processed');

    const ids = emittedIds(first.db);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(UUID_V5);
    expect(ids[0]).not.toBe(ids[1]); // two emits of one call: two positions, two ids
    expect(emittedIds(second.db)).toEqual(ids);
    expect(rowIds(first.db)).toHaveLength(1);
    expect(rowIds(second.db)).toEqual(rowIds(first.db));
  });

  it('gives the same ids whether the record was applied in a group or on its own, and after retries', async () => {
    const alone = emitting();
    const grouped = emitting();
    const retried = aSubject((call, event, ctx) => {
      const orderId = (event.payload as { orderId: string }).orderId;
      ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId });
      ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId });
      void ctx.manager.query('INSERT INTO row_with_id (id) VALUES ($1)', [ctx.deriveId('row')]);
      if (call <= 2) throw serializationFailure();
    });

    await alone.processor.processRecord(aRecord(), running);
    expect(await grouped.processor.processGroup([aRecord({ offset: '6' }, { id: OTHER_EVENT_ID }), aRecord()])).toBe(true);
    expect(await retried.processor.processRecord(aRecord(), running)).toBe('processed');

    expect(emittedIds(grouped.db).slice(2)).toEqual(emittedIds(alone.db));
    expect(emittedIds(retried.db)).toEqual(emittedIds(alone.db));
    expect(rowIds(retried.db)).toEqual(rowIds(alone.db));
  });

  it('gives different events different ids, and keeps an id the handler chose itself', async () => {
    const subject = aSubject((_call, event, ctx) => {
      const orderId = (event.payload as { orderId: string }).orderId;
      ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId });
      if (event.id === OTHER_EVENT_ID) ctx.emit(PaymentAuthorisedV1, { ...PaymentAuthorisedV1.example, orderId }, { id: '7b2e5c60-3f4d-4e5f-9a01-9c8d7e6f5a41' });
    });

    await subject.processor.processRecord(aRecord(), running);
    await subject.processor.processRecord(aRecord({ offset: '8' }, { id: OTHER_EVENT_ID }), running);

    const [a, b, chosen] = emittedIds(subject.db);
    expect(a).not.toBe(b);
    expect(chosen).toBe('7b2e5c60-3f4d-4e5f-9a01-9c8d7e6f5a41');
  });

  it('given the same failing record dead-lettered twice against fresh state, then the dead letter and its DeadLetter event have the same id; another event gets another', async () => {
    const poison = () =>
      aSubject(() => {
        throw new PoisonMessageError('breaks an invariant');
      });
    const first = poison();
    const second = poison();

    await first.processor.processRecord(aRecord(), running);
    await second.processor.processRecord(aRecord({ offset: '99' }), running);
    await second.processor.processRecord(aRecord({ offset: '100' }, { id: OTHER_EVENT_ID }), running);

    const letterIds = (db: RecordingTransactions) => db.committed('INSERT INTO dead_letter').map((s) => s.params[0]);
    const [firstLetter] = letterIds(first.db);
    expect(firstLetter).toMatch(UUID_V5);
    expect(letterIds(second.db)).toEqual([firstLetter, expect.not.stringMatching(firstLetter as string)]);
    // the DeadLetter event is emitted under the dead letter's id
    expect(emittedIds(first.db)).toEqual([firstLetter]);
    expect(emittedIds(second.db)[0]).toBe(firstLetter);
  });

  it('derives ids from every part of the cause, unambiguously', () => {
    const base = derivedId('row', 'spec.OrderPlaced', EVENT_ID, 'payment');
    expect(derivedId('row', 'spec.OrderPlaced', EVENT_ID, 'payment')).toBe(base);
    expect(derivedId('row', 'spec.OrderPlaced', EVENT_ID, 'refund')).not.toBe(base);
    expect(derivedId('row', 'other.OrderPlaced', EVENT_ID, 'payment')).not.toBe(base);
    expect(derivedId('row', 'spec.OrderPlaced', OTHER_EVENT_ID, 'payment')).not.toBe(base);
    expect(derivedId('a:b', 'c')).not.toBe(derivedId('a', 'b:c'));
    expect(deadLetterId('spec', 'spec.OrderPlaced', EVENT_ID)).not.toBe(deadLetterId('other', 'spec.OrderPlaced', EVENT_ID));
    expect(emittedEventId('spec.OrderPlaced', EVENT_ID, 0)).not.toBe(emittedEventId('spec.OrderPlaced', EVENT_ID, 1));
    expect(() => derivedId()).toThrow('at least one part');
  });
});

describe('RecordProcessor.applyStored (the dead-letter redrive path)', () => {
  it("runs a stored record through the same inbox claim and handler inside the caller's transaction, once; callbacks are left to the caller", async () => {
    const { processor, db, journal } = aSubject();
    const afterCommit: (() => void)[] = [];
    expect(await db.transaction((m) => processor.applyStored(m, aRecord(), 'spec.OrderPlaced', afterCommit))).toBe('processed');
    expect(db.committed('INSERT INTO effect')).toHaveLength(1);
    expect(journal).toEqual([`handle ${EVENT_ID}`, 'commit']);
    expect(afterCommit).toHaveLength(1);
    // the inbox row now exists: a second run is a duplicate with no effect
    expect(await db.transaction((m) => processor.applyStored(m, aRecord(), 'spec.OrderPlaced', []))).toBe('duplicate');
    expect(db.committed('INSERT INTO effect')).toHaveLength(1);
  });

  it('a handler failure propagates (no retries: the redrive decides), and a record that is poison or for another handler is rejected', async () => {
    const { processor, db, calls } = aSubject(() => {
      throw new Error('still broken');
    });
    await expect(db.transaction((m) => processor.applyStored(m, aRecord(), 'spec.OrderPlaced', []))).rejects.toThrow('still broken');
    expect(calls()).toBe(1);
    await expect(db.transaction((m) => processor.applyStored(m, aRecord({ value: 'not json' }), 'spec.OrderPlaced', []))).rejects.toThrow(PoisonMessageError);
    await expect(db.transaction((m) => processor.applyStored(m, aRecord(), 'spec.Other', []))).rejects.toThrow(/now goes to handler spec.OrderPlaced/);
    await expect(db.transaction((m) => processor.applyStored(m, aRecord({}, { eventType: 'Nobody' }), 'spec.OrderPlaced', []))).rejects.toThrow(/no handler of spec takes Nobody/);
  });
});
