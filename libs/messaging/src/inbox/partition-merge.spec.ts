import fc from 'fast-check';
import { LaneId, PartitionMerge } from './partition-merge';

/**
 * The catch-up merge (ADR 0020) without a broker. The examples pin the rules; the property drives
 * the merge the way kafkajs drives the consumer — fetch cycles over the lanes that are not paused, a
 * bounded pool of workers each holding one lane's batch, batches handled in interleaved steps, the
 * next fetch only once every batch of the cycle is done — and checks its two promises: every record
 * is handled exactly once, in offset order per lane, and every record that was in the log when the
 * group joined is handled before every record of its task with a later timestamp.
 */
const A = 'a.events';
const B = 'b.events';
const C = 'c.events';
const at = (topic: string, partition = 0): LaneId => ({ topic, partition });

describe('PartitionMerge, the rules', () => {
  it('lets a record go when no co-partition still catching up can hold an earlier one', () => {
    const merge = new PartitionMerge({ maxIdleMs: 1_000 });
    merge.reset([
      { ...at(A), next: 0n, target: 3n },
      { ...at(B), next: 0n, target: 1n },
    ]);
    merge.hold(at(A), 0n);
    merge.hold(at(B), 0n);
    // B's head is not known yet and B has a batch in hand: A waits for it
    expect(merge.admit(at(A), [10, 20, 30])).toEqual({ kind: 'wait', blockedBy: [at(B)] });
    // B's head (15) is later than A's (10): B waits for A
    expect(merge.admit(at(B), [15])).toEqual({ kind: 'wait', blockedBy: [at(A)] });
    // now A may hand over what is earlier than B's head, and no more
    expect(merge.admit(at(A), [10, 20, 30])).toEqual({ kind: 'go', count: 1 });
    merge.advanced(at(A), 0n, 10);
    // A's next head is unknown until A looks at it: only what A handled (10) bounds it
    expect(merge.admit(at(B), [15]).kind).toBe('wait');
    expect(merge.admit(at(A), [10, 20, 30], 1)).toEqual({ kind: 'wait', blockedBy: [at(B)] });
    expect(merge.admit(at(B), [15])).toEqual({ kind: 'go', count: 1 });
    merge.advanced(at(B), 0n, 15);
    // B reached the end it had at the join; while its batch is in hand it may still hold an earlier record
    expect(merge.admit(at(A), [10, 20, 30], 1).kind).toBe('wait');
    // once it let go of its batch, it holds nobody back any more
    merge.release(at(B));
    expect(merge.admit(at(A), [10, 20, 30], 1)).toEqual({ kind: 'go', count: 2 });
    expect(merge.catchingUp).toBe(true);
    merge.advanced(at(A), 2n, 30);
    expect(merge.catchingUp).toBe(false);
  });

  it('steps aside for a co-partition with nothing in hand, and resumes once that one moved past its head', () => {
    const merge = new PartitionMerge({ maxIdleMs: 1_000 });
    merge.reset([
      { ...at(A), next: 0n, target: 2n },
      { ...at(B), next: 0n, target: 2n },
    ]);
    merge.hold(at(A), 0n);
    expect(merge.admit(at(A), [10, 40])).toEqual({ kind: 'yield', blockedBy: [at(B)] });
    merge.paused(at(A), 10);
    merge.release(at(A));
    expect(merge.takeResumable()).toEqual([]);
    merge.hold(at(B), 0n);
    expect(merge.admit(at(B), [5, 20])).toEqual({ kind: 'go', count: 1 });
    merge.advanced(at(B), 0n, 5);
    expect(merge.takeResumable()).toEqual([]);
    // B's head is now 20, later than A's paused head: A may go, B steps aside for it
    expect(merge.admit(at(B), [5, 20], 1)).toEqual({ kind: 'yield', blockedBy: [at(A)] });
    merge.paused(at(B), 20);
    expect(merge.takeResumable()).toEqual([at(A)]);
    expect(merge.pausedLanes()).toEqual([at(B)]);
  });

  it('live, once caught up, orders the records of co-partitions fetched together, and waits for nobody else', () => {
    const merge = new PartitionMerge({ maxIdleMs: 1_000 });
    merge.reset([
      { ...at(A), next: 5n, target: 5n },
      { ...at(B), next: 9n, target: 9n },
    ]);
    expect(merge.catchingUp).toBe(false);
    merge.hold(at(A), 5n);
    // B has nothing in hand: A's records go as they come
    expect(merge.admit(at(A), [200, 300])).toEqual({ kind: 'go', count: 2 });
    merge.advanced(at(A), 5n, 200);
    merge.advanced(at(A), 6n, 300);
    merge.release(at(A));
    // the next fetch brings both: A's record waits for B's earlier one, in memory
    merge.hold(at(A), 7n);
    merge.hold(at(B), 9n);
    expect(merge.admit(at(A), [400, 500])).toEqual({ kind: 'wait', blockedBy: [at(B)] });
    expect(merge.admit(at(B), [450])).toEqual({ kind: 'wait', blockedBy: [at(A)] });
    expect(merge.admit(at(A), [400, 500])).toEqual({ kind: 'go', count: 1 });
    merge.advanced(at(A), 7n, 400);
    expect(merge.admit(at(A), [400, 500], 1)).toEqual({ kind: 'wait', blockedBy: [at(B)] });
    expect(merge.admit(at(B), [450])).toEqual({ kind: 'go', count: 1 });
    merge.advanced(at(B), 9n, 450);
    merge.release(at(B));
    expect(merge.admit(at(A), [400, 500], 1)).toEqual({ kind: 'go', count: 1 });
  });

  it('orders equal timestamps by topic name', () => {
    const merge = new PartitionMerge({ maxIdleMs: 1_000 });
    merge.reset([
      { ...at(A), next: 0n, target: 1n },
      { ...at(B), next: 0n, target: 1n },
    ]);
    merge.hold(at(A), 0n);
    merge.hold(at(B), 0n);
    merge.admit(at(A), [7]);
    expect(merge.admit(at(B), [7]).kind).toBe('wait');
    expect(merge.admit(at(A), [7])).toEqual({ kind: 'go', count: 1 });
  });

  it('holds nothing back across partition numbers, for a lane alone in its task, or for lanes it does not know', () => {
    const merge = new PartitionMerge({ maxIdleMs: 1_000 });
    merge.reset([
      { ...at(A, 0), next: 0n, target: 5n },
      { ...at(B, 1), next: 0n, target: 5n },
    ]);
    expect(merge.catchingUp).toBe(false);
    expect(merge.admit(at(A, 0), [100, 200])).toEqual({ kind: 'go', count: 2 });
    expect(merge.admit(at(C, 0), [1])).toEqual({ kind: 'go', count: 1 });
  });

  it('presumes a co-partition that gives nothing for maxIdleMs caught up, and says so', () => {
    let now = 0;
    const merge = new PartitionMerge({ maxIdleMs: 1_000, now: () => now });
    merge.reset([
      { ...at(A), next: 0n, target: 2n },
      { ...at(B), next: 4n, target: 9n },
    ]);
    merge.hold(at(A), 0n);
    expect(merge.admit(at(A), [10, 20]).kind).toBe('yield');
    merge.paused(at(A), 10);
    now = 999;
    expect(merge.takeResumable()).toEqual([]);
    now = 1_000;
    expect(merge.takeResumable()).toEqual([at(A)]);
    merge.hold(at(A), 0n);
    expect(merge.admit(at(A), [10, 20])).toEqual({ kind: 'go', count: 2, presumedCaughtUp: [at(B)] });
  });

  it('never presumes a co-partition with a batch in hand caught up, however long it takes', () => {
    let now = 0;
    const merge = new PartitionMerge({ maxIdleMs: 10, now: () => now });
    merge.reset([
      { ...at(A), next: 0n, target: 1n },
      { ...at(B), next: 0n, target: 1n },
    ]);
    merge.hold(at(A), 0n);
    merge.hold(at(B), 0n);
    merge.admit(at(B), [1]); // B's record is retried for minutes, say
    merge.admit(at(A), [2]);
    now = 60_000;
    expect(merge.admit(at(A), [2])).toEqual({ kind: 'wait', blockedBy: [at(B)] });
  });

  it('tells whoever waits when something changed', () => {
    let changes = 0;
    const merge = new PartitionMerge({ maxIdleMs: 1_000, onChange: () => (changes += 1) });
    merge.reset([
      { ...at(A), next: 0n, target: 1n },
      { ...at(B), next: 0n, target: 1n },
    ]);
    merge.hold(at(A), 0n);
    const afterHold = changes;
    merge.admit(at(A), [5]); // the head became known
    expect(changes).toBe(afterHold + 1);
    merge.admit(at(A), [5]); // nothing new
    expect(changes).toBe(afterHold + 1);
    merge.advanced(at(A), 0n, 5);
    merge.release(at(A));
    expect(changes).toBe(afterHold + 3);
  });
});

// ---- the property: the merge under a kafkajs-like scheduler ---------------------------------------

interface SimRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly ts: number;
}

interface SimLane {
  readonly id: LaneId;
  readonly records: SimRecord[];
  /** First offset the group had not handled at the join. */
  readonly committed: number;
  /** The end offset at the join: records from here on "arrived later". */
  readonly target: number;
  next: number;
  paused: boolean;
}

interface Worker {
  readonly lane: SimLane;
  readonly batch: SimRecord[];
  index: number;
  /** Records of the last admission still to hand over. */
  admitted: number;
}

/** Lanes of 2–3 topics over 1–2 partition numbers; timestamps non-decreasing per lane, as one Connect task writes them. */
const scenario = fc
  .record({
    topics: fc.integer({ min: 2, max: 3 }),
    partitions: fc.integer({ min: 1, max: 2 }),
    seed: fc.array(
      fc.record({ gaps: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 0, maxLength: 12 }), committed: fc.nat(), late: fc.nat() }),
      { minLength: 6, maxLength: 6 },
    ),
    workers: fc.integer({ min: 1, max: 3 }),
    choices: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
  })
  .map(({ topics, partitions, seed, workers, choices }) => {
    const lanes: SimLane[] = [];
    let i = 0;
    for (let p = 0; p < partitions; p += 1) {
      for (const topic of [A, B, C].slice(0, topics)) {
        const s = seed[i++ % seed.length]!;
        let ts = 0;
        const records = s.gaps.map((gap, offset) => ({ topic, partition: p, offset, ts: (ts += gap) }));
        const committed = records.length === 0 ? 0 : s.committed % (records.length + 1);
        const target = committed + (records.length - committed === 0 ? 0 : s.late % (records.length - committed + 1));
        lanes.push({ id: { topic, partition: p }, records, committed, target, next: committed, paused: false });
      }
    }
    return { lanes, workers, choices };
  });

function simulate(lanes: SimLane[], poolSize: number, choices: number[]): SimRecord[] {
  let pick = 0;
  const choose = (n: number): number => choices[pick++ % choices.length]! % n;
  const merge = new PartitionMerge({ maxIdleMs: Number.MAX_SAFE_INTEGER });
  merge.reset(lanes.map((l) => ({ ...l.id, next: BigInt(l.committed), target: BigInt(l.target) })));
  const byKey = new Map(lanes.map((l) => [`${l.id.topic}/${l.id.partition}`, l]));
  const resume = (): void => {
    for (const id of merge.takeResumable()) byKey.get(`${id.topic}/${id.partition}`)!.paused = false;
  };
  const handled: SimRecord[] = [];

  for (let cycle = 0; cycle < 10_000; cycle += 1) {
    resume();
    if (lanes.every((l) => l.next >= l.records.length)) return handled;
    // a fetch: one batch of every lane that is not paused and has records, up to 1–4 records each
    const queue = lanes
      .filter((l) => !l.paused && l.next < l.records.length)
      .map((lane) => ({ lane, batch: lane.records.slice(lane.next, lane.next + 1 + choose(4)), index: 0, admitted: 0 }));
    if (queue.length === 0) throw new Error(`stalled: every lane with records left is paused (${JSON.stringify(lanes.map((l) => [l.id, l.next, l.paused]))})`);
    for (let i = queue.length - 1; i > 0; i -= 1) {
      const j = choose(i + 1);
      [queue[i], queue[j]] = [queue[j]!, queue[i]!];
    }
    const running: Worker[] = [];
    const startNext = (): void => {
      while (running.length < poolSize && queue.length > 0) {
        const w = queue.shift()!;
        merge.hold(w.lane.id, BigInt(w.batch[0]!.offset));
        running.push(w);
      }
    };
    startNext();
    for (let steps = 0; running.length > 0; steps += 1) {
      if (steps > 100_000) throw new Error('live-locked inside a fetch cycle');
      const w = running[choose(running.length)]!;
      const finish = (): void => {
        merge.release(w.lane.id);
        running.splice(running.indexOf(w), 1);
        resume();
        startNext();
      };
      if (w.index >= w.batch.length) {
        finish();
        continue;
      }
      if (w.admitted === 0) {
        const admission = merge.admit(
          w.lane.id,
          w.batch.map((r) => r.ts),
          w.index,
        );
        if (admission.kind === 'wait') continue;
        if (admission.kind === 'yield') {
          w.lane.paused = true;
          merge.paused(w.lane.id, w.batch[w.index]!.ts);
          finish();
          continue;
        }
        w.admitted = admission.count;
      }
      const record = w.batch[w.index]!;
      if (record.offset !== w.lane.next) throw new Error(`lane ${record.topic}/${record.partition} skipped from ${w.lane.next} to ${record.offset}`);
      handled.push(record);
      w.lane.next += 1;
      merge.advanced(w.lane.id, BigInt(record.offset), record.ts);
      w.index += 1;
      w.admitted -= 1;
    }
  }
  throw new Error('did not finish in 10,000 fetch cycles');
}

const later = (x: SimRecord, y: SimRecord): boolean => y.ts > x.ts || (y.ts === x.ts && y.topic > x.topic);

describe('PartitionMerge under a kafkajs-like scheduler (property)', () => {
  it('handles every record once, in offset order, and what was there at the join in timestamp order within its task', () => {
    fc.assert(
      fc.property(scenario, ({ lanes, workers, choices }) => {
        const handled = simulate(lanes, workers, choices);
        const expected = lanes.flatMap((l) => l.records.slice(l.committed));
        expect(handled).toHaveLength(expected.length);
        expect(new Set(handled.map((r) => `${r.topic}/${r.partition}/${r.offset}`)).size).toBe(expected.length);
        const position = new Map(handled.map((r, i) => [r, i]));
        for (const lane of lanes) {
          for (const x of lane.records.slice(lane.committed, lane.target)) {
            for (const y of handled) {
              if (y.partition === x.partition && y.topic !== x.topic && later(x, y)) expect(position.get(x)!).toBeLessThan(position.get(y)!);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
