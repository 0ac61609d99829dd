import type { Consumer } from 'kafkajs';

/**
 * Where a kafkajs consumer stands with its group, from its instrumentation events:
 * - `starting`: connected (or restarting after a crash), not in the group yet
 * - `joined`: in the group with an assignment, fetching
 * - `rebalancing`: the group is rebalancing; the consumer is re-joining
 * - `restarting`: crashed on a retriable error; kafkajs starts it again by itself
 * - `stopped`: stopped or disconnected (a shutdown, or the first half of a crash)
 * - `failed`: crashed on an error kafkajs does not restart after; only a new process brings it back
 */
export type ConsumerPhase = 'starting' | 'joined' | 'rebalancing' | 'restarting' | 'stopped' | 'failed';

export interface ConsumerHealthState {
  readonly phase: ConsumerPhase;
  /** When the consumer entered this phase (epoch ms). */
  readonly since: number;
  /** The last answer from the broker that proves membership: join, heartbeat, fetch, offset commit (epoch ms). */
  readonly lastContactAt: number | undefined;
  /** The member id and partitions of the last join. */
  readonly memberId: string | undefined;
  readonly assignedPartitions: number;
  /** The error of the last crash, until the consumer joins again. */
  readonly lastError: string | undefined;
}

/** The instrumentation events that move the state, in kafkajs' own order (a crash: stop, disconnect, crash). */
export type ConsumerHealthEvent =
  | { type: 'connect' }
  | { type: 'group-join'; memberId: string; assignedPartitions: number }
  | { type: 'contact' }
  | { type: 'rebalancing' }
  | { type: 'stop' }
  | { type: 'disconnect' }
  | { type: 'crash'; error: string; restart: boolean };

export const initialConsumerHealth = (at: number): ConsumerHealthState => ({
  phase: 'starting',
  since: at,
  lastContactAt: undefined,
  memberId: undefined,
  assignedPartitions: 0,
  lastError: undefined,
});

const enter = (state: ConsumerHealthState, phase: ConsumerPhase, at: number): ConsumerHealthState =>
  state.phase === phase ? state : { ...state, phase, since: at };

/** The next state; pure, so the transitions are unit-tested without a broker. */
export function nextConsumerHealth(state: ConsumerHealthState, event: ConsumerHealthEvent, at: number): ConsumerHealthState {
  switch (event.type) {
    case 'connect':
      // kafkajs connects again when it restarts after a crash; a failed consumer is only ever started anew
      return enter(state, 'starting', at);
    case 'group-join':
      return { ...enter(state, 'joined', at), lastContactAt: at, memberId: event.memberId, assignedPartitions: event.assignedPartitions, lastError: undefined };
    case 'contact':
      return { ...state, lastContactAt: at };
    case 'rebalancing':
      return state.phase === 'joined' ? enter(state, 'rebalancing', at) : state;
    case 'stop':
    case 'disconnect':
      // a crash stops and disconnects first: a failed consumer stays failed through its shutdown
      return state.phase === 'failed' ? state : enter(state, 'stopped', at);
    case 'crash':
      return { ...enter(state, event.restart ? 'restarting' : 'failed', at), lastError: event.error };
  }
}

export interface ConsumerReadiness {
  ready: boolean;
  /** Why not, or what it is doing: a sentence for the health report. */
  reason: string;
}

/**
 * Ready only while joined and heard from: a member whose broker has said nothing for the session
 * timeout has been evicted from its group whatever kafkajs still believes (it notices only when its
 * retries run out, which can take minutes).
 */
export function consumerReadiness(state: ConsumerHealthState, now: number, silentAfterMs: number): ConsumerReadiness {
  const phaseFor = `${state.phase} for ${Math.max(0, now - state.since)} ms`;
  switch (state.phase) {
    case 'joined': {
      const silentMs = now - (state.lastContactAt ?? state.since);
      if (silentMs > silentAfterMs) return { ready: false, reason: `joined, but no answer from the broker for ${silentMs} ms` };
      return { ready: true, reason: `in its group with ${state.assignedPartitions} partition(s)` };
    }
    case 'starting':
    case 'rebalancing':
    case 'stopped':
      return { ready: false, reason: phaseFor };
    case 'restarting':
      return { ready: false, reason: `${phaseFor} after a crash: ${state.lastError ?? 'unknown error'}` };
    case 'failed':
      return { ready: false, reason: `crashed and will not restart: ${state.lastError ?? 'unknown error'}` };
  }
}

/** Dead for good: kafkajs will not restart it, so the process needs restarting (liveness). */
export const consumerHasFailed = (state: ConsumerHealthState): boolean => state.phase === 'failed';

export interface ConsumerHealthOptions {
  /** Silence longer than this (the consumer's session timeout) is no longer membership. */
  silentAfterMs: number;
  clock?: () => number;
}

/**
 * Follows one kafkajs consumer through its instrumentation events. Attach it before `connect()`
 * so the first CONNECT and GROUP_JOIN are seen; attaching again (a new consumer) starts over.
 */
export class ConsumerHealth {
  private current: ConsumerHealthState;
  private detach: (() => void) | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: ConsumerHealthOptions) {
    this.clock = options.clock ?? Date.now;
    this.current = initialConsumerHealth(this.clock());
  }

  get state(): ConsumerHealthState {
    return this.current;
  }

  readiness(): ConsumerReadiness {
    return consumerReadiness(this.current, this.clock(), this.options.silentAfterMs);
  }

  get failed(): boolean {
    return consumerHasFailed(this.current);
  }

  record(event: ConsumerHealthEvent): void {
    this.current = nextConsumerHealth(this.current, event, this.clock());
  }

  attach(consumer: Consumer): void {
    this.detach?.();
    this.current = initialConsumerHealth(this.clock());
    const { events } = consumer;
    const contact = () => this.record({ type: 'contact' });
    const removers = [
      consumer.on(events.CONNECT, () => this.record({ type: 'connect' })),
      consumer.on(events.GROUP_JOIN, (e) =>
        this.record({
          type: 'group-join',
          memberId: e.payload.memberId,
          assignedPartitions: Object.values(e.payload.memberAssignment).reduce((n, partitions) => n + partitions.length, 0),
        }),
      ),
      consumer.on(events.HEARTBEAT, contact),
      consumer.on(events.FETCH, contact),
      consumer.on(events.COMMIT_OFFSETS, contact),
      consumer.on(events.REBALANCING, () => this.record({ type: 'rebalancing' })),
      consumer.on(events.STOP, () => this.record({ type: 'stop' })),
      consumer.on(events.DISCONNECT, () => this.record({ type: 'disconnect' })),
      consumer.on(events.CRASH, (e) => this.record({ type: 'crash', error: `${e.payload.error.name}: ${e.payload.error.message}`, restart: e.payload.restart })),
    ];
    this.detach = () => removers.forEach((remove) => remove());
  }
}
