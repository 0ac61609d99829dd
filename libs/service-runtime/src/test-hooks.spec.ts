/** The hooks read the environment once, when loaded: each case loads a fresh copy. */
function loadHooks(env: Record<string, string>): typeof import('./test-hooks') {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let hooks: typeof import('./test-hooks') | undefined;
    jest.isolateModules(() => {
      hooks = jest.requireActual<typeof import('./test-hooks')>('./test-hooks');
    });
    if (!hooks) throw new Error('could not load test-hooks');
    return hooks;
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe('failOnce', () => {
  it('throws the first time its point is reached, then never again', () => {
    const { failOnce } = loadHooks({ PAYSTATE_ENABLE_CRASH_POINTS: '1', NODE_ENV: 'test', PAYSTATE_FAIL_ONCE: 'here' });
    expect(() => failOnce('elsewhere')).not.toThrow();
    expect(() => failOnce('here')).toThrow(/failing once at here/);
    expect(() => failOnce('here')).not.toThrow();
  });

  it('is inert without PAYSTATE_ENABLE_CRASH_POINTS=1, and in production', () => {
    expect(() => loadHooks({ PAYSTATE_FAIL_ONCE: 'here', NODE_ENV: 'test' }).failOnce('here')).not.toThrow();
    expect(() => loadHooks({ PAYSTATE_ENABLE_CRASH_POINTS: '1', NODE_ENV: 'production', PAYSTATE_FAIL_ONCE: 'here' }).failOnce('here')).not.toThrow();
  });
});

describe('testDelay', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Whether the delay at `name` is still pending after `ms` of (fake) time. */
  async function pendingAfter(hooks: typeof import('./test-hooks'), name: string, ms: number): Promise<boolean> {
    let done = false;
    const delay = hooks.testDelay(name).then(() => {
      done = true;
    });
    await jest.advanceTimersByTimeAsync(ms);
    const pending = !done;
    await jest.runAllTimersAsync();
    await delay;
    return pending;
  }

  it('sleeps PAYSTATE_TEST_DELAY_MS at its point only', async () => {
    const hooks = loadHooks({ PAYSTATE_ENABLE_CRASH_POINTS: '1', NODE_ENV: 'test', PAYSTATE_TEST_DELAY: 'here', PAYSTATE_TEST_DELAY_MS: '3000' });
    expect(await pendingAfter(hooks, 'here', 2999)).toBe(true);
    expect(await pendingAfter(hooks, 'here', 3000)).toBe(false);
    expect(await pendingAfter(hooks, 'elsewhere', 0)).toBe(false);
  });

  it('is inert without the switch, and in production', async () => {
    const off = loadHooks({ NODE_ENV: 'test', PAYSTATE_TEST_DELAY: 'here', PAYSTATE_TEST_DELAY_MS: '3000' });
    expect(await pendingAfter(off, 'here', 0)).toBe(false);
    const production = loadHooks({ PAYSTATE_ENABLE_CRASH_POINTS: '1', NODE_ENV: 'production', PAYSTATE_TEST_DELAY: 'here', PAYSTATE_TEST_DELAY_MS: '3000' });
    expect(await pendingAfter(production, 'here', 0)).toBe(false);
  });
});
