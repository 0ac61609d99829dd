/**
 * Given / when / then for pure deciders (CONVENTIONS: "domain tests read as given / when / then").
 *
 * The domains spell decide and evolve in three ways, and the helper takes each as it is:
 * - ledger: `decide(state, fact, ctx)` answers a decision, `evolve(state, journal)` applies it;
 * - order: `applyFact(order, fact)` does both at once (the outcome carries the next order);
 * - fulfilment: state-stored, `onX(state)` answers a decision and the application persists it.
 * So a decider here is `decide(state, input)` plus, where the domain has one, `evolve(state, decision)`.
 * The history of `given` is replayed through both, which is how the services themselves rebuild state
 * (the ledger from its journals, the order from its facts); a state-stored decider starts `from` a state.
 *
 * Framework-free apart from Jest's `expect`: it is for `*.spec.ts` files only. Domain specs import it
 * from `@paystate/testing/decider-spec`, which loads nothing else: the package's main entry brings
 * the stack, kafkajs and pg along, which would cost every pure unit spec seconds.
 */

/** What a decider spec drives: a domain's decision, and how a decision moves the state. */
export interface DeciderUnderTest<State, Input, Decision> {
  decide: (state: State, input: Input) => Decision;
  /** The state after the decision; leave it out for a decider whose state is stored, not derived. */
  evolve?: (state: State, decision: Decision) => State;
  /** Where `given(...)` starts; leave it out when every spec starts `from` a state of its own. */
  initialState?: () => State;
}

/** A partial expectation, as `toMatchObject` reads it: any subset of fields, at any depth. */
export type Partially<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? readonly Partially<U>[]
    : T extends object
      ? { [K in keyof T]?: Partially<T[K]> }
      : T;

export interface DeciderThen<State, Decision> {
  /** Every decision, one per `when` input, in turn. */
  readonly decisions: readonly Decision[];
  /** The decision on the last `when` input. */
  readonly decision: Decision;
  /** The state after every `when` input (needs `evolve`). */
  readonly state: State;
  /** The last decision is exactly this (`toEqual`). */
  then(expected: Decision): DeciderThen<State, Decision>;
  /** The last decision has at least these fields (`toMatchObject`; a plain value must be equal). */
  thenMatches(expected: Partially<Decision>): DeciderThen<State, Decision>;
  /** The state the `when` inputs lead to has at least these fields (`toMatchObject`; a plain value must be equal). */
  thenState(expected: Partially<State>): DeciderThen<State, Decision>;
}

export interface DeciderGiven<State, Input, Decision> {
  /** The state the history leads to. */
  readonly state: State;
  /** More history, replayed after what is already given. */
  given(...history: Input[]): DeciderGiven<State, Input, Decision>;
  /** One input, or several decided in turn (each on the state the previous one left). */
  when(...inputs: [Input, ...Input[]]): DeciderThen<State, Decision>;
}

export interface DeciderSpec<State, Input, Decision> {
  /** Starts from `initialState()` and replays the history through decide and evolve. */
  given(...history: Input[]): DeciderGiven<State, Input, Decision>;
  /** Starts from a state built by the spec (a builder with overrides). */
  from(state: State): DeciderGiven<State, Input, Decision>;
}

/** `toMatchObject` for objects; a plain value (a number, a string) can only be equal. */
function matches(actual: unknown, expected: unknown): void {
  if (typeof expected === 'object' && expected !== null) expect(actual).toMatchObject(expected);
  else expect(actual).toEqual(expected);
}

/**
 * `deciderSpec(decider).given(...past).when(input).then(decision).thenState(partial)`.
 * Decisions are computed once, eagerly, in the order written (a decider that draws ids from a
 * sequence sees them in that order); states are derived on demand, so a spec of a decider without
 * `evolve` can still assert its decisions.
 */
export function deciderSpec<State, Input, Decision>(decider: DeciderUnderTest<State, Input, Decision>): DeciderSpec<State, Input, Decision> {
  const evolve = (state: State, decision: Decision): State => {
    if (!decider.evolve) throw new Error('this decider has no evolve: start `from` a state and assert its decisions only');
    return decider.evolve(state, decision);
  };
  const step = (state: State, input: Input): { decision: Decision; next: () => State } => {
    const decision = decider.decide(state, input);
    return { decision, next: () => evolve(state, decision) };
  };

  const givenFrom = (state: State): DeciderGiven<State, Input, Decision> => ({
    state,
    given: (...history) => givenFrom(history.reduce((s, input) => step(s, input).next(), state)),
    when: (...inputs) => {
      const decisions: Decision[] = [];
      let after = (): State => state;
      for (const input of inputs) {
        // a later input is decided on the state the earlier one left; with one input, no evolve is needed
        const current = decisions.length === 0 ? state : after();
        const { decision, next } = step(current, input);
        decisions.push(decision);
        after = next;
      }
      const last = decisions[decisions.length - 1]!;
      const then: DeciderThen<State, Decision> = {
        decisions,
        decision: last,
        get state() {
          return after();
        },
        then: (expected) => {
          // an object with a `then` looks like a promise: awaited, or returned from a test, it would be called
          // with the promise's callbacks; say so instead of comparing the decision with a function
          if (typeof expected === 'function') throw new Error('a decider spec is not a promise: do not await it or return it from a test');
          expect(last).toEqual(expected);
          return then;
        },
        thenMatches: (expected) => {
          matches(last, expected);
          return then;
        },
        thenState: (expected) => {
          matches(after(), expected);
          return then;
        },
      };
      return then;
    },
  });

  return {
    given: (...history) => {
      if (!decider.initialState) throw new Error('this decider has no initialState: start `from` a state');
      return givenFrom(decider.initialState()).given(...history);
    },
    from: givenFrom,
  };
}
