import { ConsumerHealthEvent, ConsumerHealthState, consumerHasFailed, consumerReadiness, initialConsumerHealth, nextConsumerHealth } from './consumer-health';

const SILENT_AFTER = 30_000;
const joined: ConsumerHealthEvent = { type: 'group-join', memberId: 'member-1', assignedPartitions: 3 };

/** Replays events one second apart from t=0; returns the state and the time of the last event. */
function given(...events: ConsumerHealthEvent[]): { state: ConsumerHealthState; at: number } {
  let state = initialConsumerHealth(0);
  let at = 0;
  for (const event of events) {
    at += 1_000;
    state = nextConsumerHealth(state, event, at);
  }
  return { state, at };
}

const readyAt = (events: ConsumerHealthEvent[], after = 0) => {
  const { state, at } = given(...events);
  return consumerReadiness(state, at + after, SILENT_AFTER);
};

describe('consumer health: ready only while in the group and heard from', () => {
  it('is not ready before the first join, connected or not', () => {
    expect(readyAt([]).ready).toBe(false);
    expect(readyAt([{ type: 'connect' }])).toEqual({ ready: false, reason: 'starting for 1000 ms' });
  });

  it('is ready once it joined its group, with its partitions', () => {
    expect(readyAt([{ type: 'connect' }, joined])).toEqual({ ready: true, reason: 'in its group with 3 partition(s)' });
    expect(given({ type: 'connect' }, joined).state).toMatchObject({ phase: 'joined', memberId: 'member-1', assignedPartitions: 3 });
  });

  it('falls on a crash kafkajs restarts after (stop, disconnect, crash in its order) and comes back when it rejoins', () => {
    const crashed: ConsumerHealthEvent[] = [{ type: 'connect' }, joined, { type: 'stop' }, { type: 'disconnect' }, { type: 'crash', error: 'KafkaJSNumberOfRetriesExceeded: Connection error', restart: true }];
    expect(given(...crashed).state.phase).toBe('restarting');
    expect(readyAt(crashed)).toEqual({ ready: false, reason: 'restarting for 0 ms after a crash: KafkaJSNumberOfRetriesExceeded: Connection error' });
    expect(consumerHasFailed(given(...crashed).state)).toBe(false);

    // kafkajs' restart: connect again (still down), join again (up), the crash forgotten
    expect(readyAt([...crashed, { type: 'connect' }]).ready).toBe(false);
    const rejoined = given(...crashed, { type: 'connect' }, { ...joined, memberId: 'member-2' });
    expect(consumerReadiness(rejoined.state, rejoined.at, SILENT_AFTER).ready).toBe(true);
    expect(rejoined.state).toMatchObject({ memberId: 'member-2', lastError: undefined });
  });

  it('keeps falling while restarts fail: each failed restart is connect, stop, disconnect, crash', () => {
    const failedRestart: ConsumerHealthEvent[] = [{ type: 'connect' }, { type: 'stop' }, { type: 'disconnect' }, { type: 'crash', error: 'KafkaJSConnectionError: ECONNREFUSED', restart: true }];
    expect(readyAt([{ type: 'connect' }, joined, ...failedRestart, ...failedRestart]).ready).toBe(false);
  });

  it('on a crash without restart it is failed for good: not ready, and dead for liveness, through the shutdown that follows', () => {
    const { state } = given({ type: 'connect' }, joined, { type: 'stop' }, { type: 'disconnect' }, { type: 'crash', error: 'Error: boom', restart: false }, { type: 'stop' }, { type: 'disconnect' });
    expect(state.phase).toBe('failed');
    expect(consumerHasFailed(state)).toBe(true);
    expect(consumerReadiness(state, 99_000, SILENT_AFTER)).toEqual({ ready: false, reason: 'crashed and will not restart: Error: boom' });
  });

  it('is not ready once stopped or disconnected (a shutdown)', () => {
    expect(readyAt([{ type: 'connect' }, joined, { type: 'stop' }]).ready).toBe(false);
    expect(readyAt([{ type: 'connect' }, joined, { type: 'disconnect' }]).ready).toBe(false);
  });

  it('is not ready while the group rebalances, and ready again when the rejoin completes', () => {
    expect(readyAt([{ type: 'connect' }, joined, { type: 'rebalancing' }])).toEqual({ ready: false, reason: 'rebalancing for 0 ms' });
    expect(readyAt([{ type: 'connect' }, joined, { type: 'rebalancing' }, joined]).ready).toBe(true);
  });

  it('a rebalance notice when not joined changes nothing', () => {
    expect(given({ type: 'connect' }, { type: 'rebalancing' }).state.phase).toBe('starting');
  });

  it('falls when the broker has said nothing for longer than the session timeout, and each heartbeat or fetch keeps it up', () => {
    const events: ConsumerHealthEvent[] = [{ type: 'connect' }, joined];
    expect(readyAt(events, SILENT_AFTER).ready).toBe(true);
    expect(readyAt(events, SILENT_AFTER + 1)).toEqual({ ready: false, reason: `joined, but no answer from the broker for ${SILENT_AFTER + 1} ms` });
    // a contact one second after the join moves the horizon by that second
    expect(readyAt([...events, { type: 'contact' }], SILENT_AFTER).ready).toBe(true);
    const { state } = given(...events, { type: 'contact' });
    expect(state.lastContactAt).toBe(3_000);
  });

  it('counts the time in a phase from entering it, not from the last repeated event', () => {
    const { state } = given({ type: 'connect' }, joined, { type: 'stop' }, { type: 'disconnect' }, { type: 'stop' });
    expect(state).toMatchObject({ phase: 'stopped', since: 3_000 });
  });
});
