/**
 * Catch-up in timestamp order across co-partitioned topics (ADR 0020).
 *
 * A group that reads several topics sees, live, the facts of one order in the order they happened:
 * each fact is fetched moments after it was written. After a reset (a replay, a restored database,
 * a long outage) the group meets all of its backlogs at once, and Kafka orders records only within a
 * partition, so a later OrderCancelled on order.events may be handled before the earlier
 * PaymentCaptured on payment.events. Every event is keyed by its order id and every topic has the
 * same number of partitions, so the facts of one order sit in partition p of each topic: the
 * partitions with the same number form a *task*, and within a task the consumer must hand records
 * over in timestamp order while it catches up, the way Kafka Streams merges a task's partitions.
 *
 * This class decides, without I/O, which records of a partition may be handled now. Each partition
 * (a *lane*) knows its next offset, the end offset it had when the group was joined (its catch-up
 * target: a lane is *behind* below it) and a lower bound of the timestamp of its next record (its
 * head when a batch is in hand or the lane is paused, else the last timestamp it handled). A record
 * of lane L with timestamp t may go when no other lane of its task is behind with a bound below t
 * (equal timestamps go in topic-name order). Otherwise L waits while the lane holding the earlier
 * record has a batch in hand, and steps aside (is paused, so the broker fetches the others) when it
 * has not. A lane that gives nothing for `maxIdleMs` while the others wait is presumed caught up.
 * Records fetched together (co-partitions with a batch in hand at once) go in timestamp order even
 * once everything is caught up: that costs no fetch, only an in-memory wait.
 *
 * Timestamps are the Kafka record timestamps Debezium sets when it reads an outbox row; a fact is
 * always read after the fact that caused it, so on one clock the order of timestamps is the causal
 * order. The merge only ever changes the order in which records are handled: offsets, the inbox and
 * dead letters work as without it, so a wrong guess (clock skew, a timestamp going backwards) can
 * reorder, never lose or repeat an effect. Once every lane has reached its target, a lane never
 * waits for one with nothing in hand: live records are handled as they come.
 */
export interface LaneId {
  readonly topic: string;
  readonly partition: number;
}

export interface LanePosition extends LaneId {
  /** The next offset the group will read (its committed offset, or the log start). */
  readonly next: bigint;
  /** The end offset when the group was joined: below it the lane is catching up. */
  readonly target: bigint;
}

export type Admission =
  /** Handle the first `count` records now (`idle`: because a co-partition gave nothing for too long). */
  | { readonly kind: 'go'; readonly count: number; readonly presumedCaughtUp?: readonly LaneId[] }
  /** A co-partition with a batch in hand holds an earlier record: wait until it moves on. */
  | { readonly kind: 'wait'; readonly blockedBy: readonly LaneId[] }
  /** A co-partition holding an earlier record has nothing in hand: pause this lane so it is fetched. */
  | { readonly kind: 'yield'; readonly blockedBy: readonly LaneId[] };

export interface PartitionMergeOptions {
  /** How long a lane waits for a co-partition that gives nothing before presuming it caught up. */
  readonly maxIdleMs: number;
  readonly now?: () => number;
  /**
   * Called when something another lane may be waiting for changed: a lane's bound rose, it moved
   * on, caught up, paused or let go of its batch. The consumer wakes its waiting lanes on it.
   */
  readonly onChange?: () => void;
}

interface Lane extends LaneId {
  next: bigint;
  readonly target: bigint;
  /** Lower bound of the timestamp of the lane's next record; -Infinity when nothing is known. */
  bound: number;
  inHand: boolean;
  paused: boolean;
  /** When the lane's head was first held back (for maxIdleMs); undefined while it moves. */
  blockedSince: number | undefined;
  caughtUp: boolean;
}

const keyOf = (id: LaneId): string => `${id.topic}\u0000${id.partition}`;

export class PartitionMerge {
  private readonly lanes = new Map<string, Lane>();
  /** Lanes by partition number: the co-partitions of a task. */
  private readonly tasks = new Map<number, Lane[]>();
  private readonly now: () => number;

  constructor(private readonly options: PartitionMergeOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A new assignment (a group join): forgets everything and takes the lanes' positions. */
  reset(positions: readonly LanePosition[]): void {
    this.lanes.clear();
    this.tasks.clear();
    for (const p of positions) {
      const lane: Lane = { topic: p.topic, partition: p.partition, next: p.next, target: p.target, bound: -Infinity, inHand: false, paused: false, blockedSince: undefined, caughtUp: p.next >= p.target };
      this.lanes.set(keyOf(lane), lane);
      const task = this.tasks.get(p.partition) ?? [];
      task.push(lane);
      this.tasks.set(p.partition, task);
    }
  }

  /** True while some task has a co-partition still catching up (the merge can hold records back). */
  get catchingUp(): boolean {
    for (const task of this.tasks.values()) if (task.length > 1 && task.some((l) => !l.caughtUp)) return true;
    return false;
  }

  /** Lanes the merge paused, to resume when the assignment changes. */
  pausedLanes(): LaneId[] {
    return [...this.lanes.values()].filter((l) => l.paused).map(({ topic, partition }) => ({ topic, partition }));
  }

  /** A batch of the lane is in hand; `firstOffset` moves the lane on past records it will never see. */
  hold(id: LaneId, firstOffset: bigint): void {
    const lane = this.lanes.get(keyOf(id));
    if (!lane) return;
    lane.inHand = true;
    lane.paused = false;
    if (firstOffset > lane.next) this.moveTo(lane, firstOffset);
    this.changed();
  }

  /** The batch in hand is done with (handled, paused or abandoned). */
  release(id: LaneId): void {
    const lane = this.lanes.get(keyOf(id));
    if (!lane) return;
    lane.inHand = false;
    this.changed();
  }

  /** How many of `timestamps` (the lane's records from index `from`, in offset order) may go now. */
  admit(id: LaneId, timestamps: readonly number[], from = 0): Admission {
    const lane = this.lanes.get(keyOf(id));
    const rest = timestamps.length - from;
    const task = lane ? this.tasks.get(lane.partition)! : [];
    if (!lane || task.length < 2 || rest <= 0) return { kind: 'go', count: Math.max(0, rest) };
    this.raiseBound(lane, timestamps[from]!);

    let count = 0;
    while (from + count < timestamps.length && this.blockers(lane, task, timestamps[from + count]!).length === 0) count += 1;
    if (count > 0) {
      lane.blockedSince = undefined;
      return { kind: 'go', count };
    }

    const blockers = this.blockers(lane, task, timestamps[from]!);
    const now = this.now();
    lane.blockedSince ??= now;
    if (now - lane.blockedSince >= this.options.maxIdleMs) {
      // nothing came from the blockers for too long: go on without them rather than stall for ever
      const idle = blockers.filter((b) => !b.inHand);
      if (idle.length > 0) {
        for (const b of idle) b.caughtUp = true;
        lane.blockedSince = undefined;
        const again = this.admit(id, timestamps, from);
        return again.kind === 'go' ? { ...again, presumedCaughtUp: idle.map(({ topic, partition }) => ({ topic, partition })) } : again;
      }
    }
    const blockedBy = blockers.map(({ topic, partition }) => ({ topic, partition }));
    return blockers.every((b) => b.inHand) ? { kind: 'wait', blockedBy } : { kind: 'yield', blockedBy };
  }

  /** The lane handled (and resolved) the record at `offset` with timestamp `timestamp`. */
  advanced(id: LaneId, offset: bigint, timestamp: number): void {
    const lane = this.lanes.get(keyOf(id));
    if (!lane) return;
    lane.bound = Math.max(lane.bound, timestamp);
    this.moveTo(lane, offset + 1n);
    this.changed();
  }

  /** The lane stepped aside with its head record (timestamp `headTimestamp`) unhandled. */
  paused(id: LaneId, headTimestamp: number): void {
    const lane = this.lanes.get(keyOf(id));
    if (!lane) return;
    lane.paused = true;
    lane.inHand = false;
    lane.bound = Math.max(lane.bound, headTimestamp);
    this.changed();
  }

  /**
   * Paused lanes whose head may go now (no co-partition holds an earlier record any more, or it has
   * waited past maxIdleMs); they are marked resumed, the caller resumes them in the consumer.
   */
  takeResumable(): LaneId[] {
    const out: LaneId[] = [];
    const now = this.now();
    for (const lane of this.lanes.values()) {
      if (!lane.paused) continue;
      const task = this.tasks.get(lane.partition)!;
      const idle = lane.blockedSince !== undefined && now - lane.blockedSince >= this.options.maxIdleMs;
      if (idle || this.blockers(lane, task, lane.bound).length === 0) {
        lane.paused = false;
        out.push({ topic: lane.topic, partition: lane.partition });
      }
    }
    return out;
  }

  /**
   * Co-partitions that may still deliver a record earlier than `timestamp` (ties: topic name): one
   * still catching up, or one with a batch in hand (live, two topics' records fetched together go in
   * timestamp order too; a caught-up lane with nothing in hand holds nobody back).
   */
  private blockers(lane: Lane, task: readonly Lane[], timestamp: number): Lane[] {
    return task.filter((o) => o !== lane && (!o.caughtUp || o.inHand) && (o.bound < timestamp || (o.bound === timestamp && o.topic < lane.topic)));
  }

  private raiseBound(lane: Lane, timestamp: number): void {
    if (timestamp <= lane.bound) return;
    lane.bound = timestamp;
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.();
  }

  private moveTo(lane: Lane, next: bigint): void {
    if (next > lane.next) lane.next = next;
    if (lane.next >= lane.target) lane.caughtUp = true;
  }
}
