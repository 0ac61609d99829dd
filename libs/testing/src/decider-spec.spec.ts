import { deciderSpec } from './decider-spec';

// A counter that refuses to go below zero: the smallest decider with a state, a decision and a refusal.
type Decision = { kind: 'moved'; by: number } | { kind: 'rejected'; reason: 'below-zero'; detail: string };
const counter = deciderSpec<number, number, Decision>({
  decide: (state, by) => (state + by < 0 ? { kind: 'rejected', reason: 'below-zero', detail: `${state} + ${by}` } : { kind: 'moved', by }),
  evolve: (state, decision) => (decision.kind === 'moved' ? state + decision.by : state),
  initialState: () => 0,
});

describe('deciderSpec', () => {
  it('given past inputs, replays them through decide and evolve from the initial state', () => {
    expect(counter.given(2, 3).state).toBe(5);
    expect(counter.given(2).given(3).state).toBe(5);
  });

  it('when an input, then asserts the decision and the state it leads to', () => {
    counter.given(2).when(-1).then({ kind: 'moved', by: -1 }).thenState(1);
    counter.given(2).when(-3).thenMatches({ kind: 'rejected', reason: 'below-zero' }).thenState(2);
  });

  it('when several inputs, decides each on the state the previous one left and keeps every decision', () => {
    const run = counter.from(1).when(1, -3, -2);
    expect(run.decisions.map((d) => d.kind)).toEqual(['moved', 'rejected', 'moved']);
    expect(run.state).toBe(0);
  });

  it('fails the spec when the decision or the state differs', () => {
    expect(() => counter.given().when(1).then({ kind: 'moved', by: 2 })).toThrow();
    expect(() => counter.given().when(-1).thenMatches({ kind: 'moved' })).toThrow();
    expect(() => counter.given().when(1).thenState(2)).toThrow();
  });

  it('without evolve, asserts decisions from a given state and refuses to derive one', () => {
    const stateStored = deciderSpec<number, number, boolean>({ decide: (state, limit) => state <= limit });
    stateStored.from(3).when(5).then(true);
    expect(() => stateStored.from(3).when(5).state).toThrow(/no evolve/);
    expect(() => stateStored.given(1)).toThrow(/no initialState/);
  });

  it('says it is not a promise when it is awaited or returned from a test', async () => {
    await expect(Promise.resolve().then(() => counter.given().when(1))).rejects.toThrow(/not a promise/);
  });
});
