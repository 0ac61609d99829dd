import type { EntityManager } from 'typeorm';
import { PoisonMessageError } from './consumed-event';
import { DeadLetterRedriver, StoredRecordApplier } from './dead-letter-redrive';
import type { ClaimedLetter, RedriveStore } from './dead-letter-store';
import type { RawRecord } from './record-parser';
import type { TransactionRunner } from './record-processor';

/**
 * The redrive worker's decisions without a database. The fake below keeps the letters, their
 * requests and the inbox in memory, with a transaction's and a savepoint's rollback as copies of
 * that state; the SQL itself (SqlRedriveStore) runs against PostgreSQL in e2e/ops/dlq.e2e.spec.ts.
 */
interface Letter {
  id: string;
  key: string | null;
  status: 'parked' | 'redrive-requested' | 'redriven';
  errors: string[];
  redriveCount: number;
  requests: { outcome?: string; error?: string | null }[];
}

interface State {
  letters: Letter[];
  /** inbox rows by event id (= letter id here): 'dead-lettered' or 'processed'. */
  inbox: Map<string, string>;
  /** The handler's effects that committed, in order. */
  effects: string[];
}

const copy = (s: State): State => ({ letters: s.letters.map((l) => ({ ...l, errors: [...l.errors], requests: l.requests.map((r) => ({ ...r })) })), inbox: new Map(s.inbox), effects: [...s.effects] });

class World implements TransactionRunner {
  state: State = { letters: [], inbox: new Map(), effects: [] };
  /** Effects and inbox claims of the open transaction, seen by the applier. */
  current: State | undefined;
  commits = 0;
  rollbacks = 0;

  letter(id: string, key: string | null, status: Letter['status'] = 'redrive-requested'): void {
    this.state.letters.push({ id, key, status, errors: [], redriveCount: 0, requests: status === 'redrive-requested' ? [{}] : [] });
    this.state.inbox.set(id, 'dead-lettered');
  }

  get(id: string): Letter {
    return this.state.letters.find((l) => l.id === id)!;
  }

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    this.current = copy(this.state);
    try {
      const result = await work({} as EntityManager);
      this.state = this.current;
      this.commits += 1;
      return result;
    } catch (error) {
      this.rollbacks += 1;
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  store(): RedriveStore {
    let saved: State | undefined;
    const tx = (): State => this.current!;
    const finish = (ids: string[], outcome: string, error: string | null) => {
      for (const l of tx().letters.filter((x) => ids.includes(x.id))) for (const r of l.requests) if (!r.outcome) Object.assign(r, { outcome, error });
    };
    return {
      claimNext: async () => {
        // the head of each key's queue (the letters were added in the order they were parked)
        const requested = tx().letters.filter((l) => l.status === 'redrive-requested');
        const head = requested.find((l) => requested.find((r) => r.key === l.key) === l);
        return head ? ({ id: head.id, handler: 'svc.PaymentCaptured', eventId: head.id, key: head.key, record: record(head.id, head.key) } satisfies ClaimedLetter) : undefined;
      },
      releaseInbox: async (l) => {
        if (tx().inbox.get(l.eventId) === 'dead-lettered') tx().inbox.delete(l.eventId);
      },
      savepoint: async () => {
        saved = copy(tx());
      },
      rollbackToSavepoint: async () => {
        this.current = copy(saved!);
      },
      markRedriven: async (l, outcome, _at, countAttempt) => {
        const letter = tx().letters.find((x) => x.id === l.id)!;
        letter.status = 'redriven';
        if (countAttempt) letter.redriveCount += 1;
        finish([l.id], outcome, null);
      },
      markFailedAgain: async (l, error) => {
        const letter = tx().letters.find((x) => x.id === l.id)!;
        Object.assign(letter, { status: 'parked', redriveCount: letter.redriveCount + 1, errors: [...letter.errors, error] });
        finish([l.id], 'failed-again', error);
      },
      parkLaterOfKey: async (_g, l, error) => {
        const later = tx().letters.filter((x) => x.status === 'redrive-requested' && x.key === l.key && x.id !== l.id);
        for (const x of later) x.status = 'parked';
        finish(later.map((x) => x.id), 'failed-again', error);
        return later.map((x) => x.id);
      },
    };
  }
}

function record(id: string, key: string | null): RawRecord {
  return { topic: 'payment.events', partition: 0, offset: '1', key, headers: { id }, value: '{}', timestamp: '0' };
}

/** The handler path: claims the inbox like the primary key would, then runs `handle`. */
class Applier implements StoredRecordApplier {
  handle: (id: string) => void = () => undefined;
  seen: string[] = [];
  constructor(private readonly world: World) {}

  async applyStored(_m: EntityManager, rec: RawRecord, _h: string, afterCommit: (() => void)[]): Promise<'processed' | 'duplicate'> {
    const id = rec.headers['id']!;
    const tx = this.world.current!;
    if (tx.inbox.has(id)) return 'duplicate';
    tx.inbox.set(id, 'processed');
    this.seen.push(id);
    tx.effects.push(`effect ${id}`);
    afterCommit.push(() => this.world.state.effects.push(`after-commit ${id}`));
    this.handle(id);
    return 'processed';
  }
}

const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

function setup() {
  const world = new World();
  const applier = new Applier(world);
  const redriver = new DeadLetterRedriver({ dataSource: world, groupId: 'svc', processor: applier, logger, intervalMs: 10, storeOf: () => world.store(), clock: () => new Date(0) });
  return { world, applier, redriver };
}

describe('DeadLetterRedriver', () => {
  it('applies a requested letter once: the dead-lettered inbox row becomes processed, the effect commits, then its after-commit callbacks run', async () => {
    const { world, redriver } = setup();
    world.letter('a', 'order-1');
    expect(await redriver.runOnce()).toEqual([{ letterId: 'a', outcome: 'applied' }]);
    expect(world.state.inbox.get('a')).toBe('processed');
    expect(world.state.effects).toEqual(['effect a', 'after-commit a']);
    expect(world.get('a')).toMatchObject({ status: 'redriven', redriveCount: 1, requests: [{ outcome: 'applied' }] });
    // nothing is requested any more: a second run does nothing
    expect(await redriver.runOnce()).toEqual([]);
    expect(world.state.effects).toEqual(['effect a', 'after-commit a']);
  });

  it('an event the inbox already records as processed is already-handled: no effect, the letter is closed', async () => {
    const { world, redriver } = setup();
    world.letter('a', 'order-1');
    world.state.inbox.set('a', 'processed');
    expect(await redriver.runOnce()).toEqual([{ letterId: 'a', outcome: 'already-handled' }]);
    expect(world.state.effects).toEqual([]);
    expect(world.get('a')).toMatchObject({ status: 'redriven', redriveCount: 0, requests: [{ outcome: 'already-handled' }] });
  });

  it('a handler that fails again: its effects roll back, the letter is parked with the new error and its inbox row kept, the later letters of the key are not attempted', async () => {
    const { world, applier, redriver } = setup();
    world.letter('a1', 'order-1');
    world.letter('a2', 'order-1');
    world.letter('b1', 'order-2');
    applier.handle = (id) => {
      if (id === 'a1') throw new Error('still broken');
    };
    const outcomes = await redriver.runOnce();
    expect(outcomes).toEqual([
      { letterId: 'a1', outcome: 'failed-again', error: 'Error: still broken', notAttempted: ['a2'] },
      { letterId: 'b1', outcome: 'applied' },
    ]);
    expect(applier.seen).toEqual(['a1', 'b1']);
    expect(world.state.effects).toEqual(['effect b1', 'after-commit b1']);
    expect(world.state.inbox.get('a1')).toBe('dead-lettered');
    expect(world.get('a1')).toMatchObject({ status: 'parked', redriveCount: 1, errors: ['Error: still broken'], requests: [{ outcome: 'failed-again', error: 'Error: still broken' }] });
    expect(world.get('a2')).toMatchObject({ status: 'parked', redriveCount: 0, errors: [], requests: [{ outcome: 'failed-again', error: 'not attempted: an earlier letter of key order-1 failed again (a1)' }] });
  });

  it('a letter rejected as poison fails again the same way', async () => {
    const { world, applier, redriver } = setup();
    world.letter('a', 'order-1');
    applier.handle = () => {
      throw new PoisonMessageError('violates PaymentCaptured v1');
    };
    expect(await redriver.runOnce()).toEqual([{ letterId: 'a', outcome: 'failed-again', error: 'PoisonMessageError: violates PaymentCaptured v1', notAttempted: [] }]);
    expect(world.get('a').status).toBe('parked');
  });

  it('a transient database error rolls the whole transaction back: the letter stays requested for the next run', async () => {
    const { world, applier, redriver } = setup();
    world.letter('a', 'order-1');
    applier.handle = () => {
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    };
    await expect(redriver.redriveNext()).rejects.toThrow('could not serialize access');
    expect(world.rollbacks).toBe(1);
    expect(world.get('a')).toMatchObject({ status: 'redrive-requested', redriveCount: 0, requests: [{}] });
    expect(world.state.inbox.get('a')).toBe('dead-lettered');
    applier.handle = () => undefined;
    expect(await redriver.runOnce()).toEqual([{ letterId: 'a', outcome: 'applied' }]);
  });

  it("redrives one key's letters in the order they were parked, one transaction each", async () => {
    const { world, applier, redriver } = setup();
    world.letter('first', 'order-1');
    world.letter('other', 'order-2');
    world.letter('second', 'order-1');
    world.letter('parked', 'order-1', 'parked');
    await redriver.runOnce();
    expect(applier.seen).toEqual(['first', 'other', 'second']);
    expect(world.commits).toBe(4); // three letters and the run that found none
    expect(world.get('parked').status).toBe('parked');
  });

  it('the polling loop picks up a request written while it runs, and stop() ends it', async () => {
    const { world, redriver } = setup();
    redriver.start();
    world.letter('late', 'order-1');
    await new Promise((r) => setTimeout(r, 100));
    await redriver.stop();
    expect(world.get('late').status).toBe('redriven');
  });
});
