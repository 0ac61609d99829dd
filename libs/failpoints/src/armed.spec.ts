// The armed build, imported by path: jest (like a plain `node`) would otherwise resolve the inert one.
import { FailpointError, armFailpoints, failpoint, parseFailpoints } from './armed';

const quiet = { log: (): void => undefined };
const arm = (spec: string): void => armFailpoints(parseFailpoints(spec), quiet);

let kill: jest.SpyInstance;
let stderr: jest.SpyInstance;
beforeEach(() => {
  kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  armFailpoints(new Map(), quiet);
  jest.restoreAllMocks();
  jest.useRealTimers();
});

/** What each of n passes at the point did. */
async function passes(n: number, name: Parameters<typeof failpoint>[0] = 'order.place.after-commit'): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    kill.mockClear();
    try {
      await failpoint.async(name);
      seen.push(kill.mock.calls.length > 0 ? 'kill' : 'pass');
    } catch (error) {
      seen.push(error instanceof FailpointError ? 'throw' : `other: ${String(error)}`);
    }
  }
  return seen;
}

describe('the armed build', () => {
  it('kills the process with SIGKILL at its point only', () => {
    arm('consumer.after-db-commit=kill');
    failpoint('consumer.after-db-commit:PaymentCaptured');
    expect(kill).not.toHaveBeenCalled();
    failpoint('consumer.after-db-commit');
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('failpoint consumer.after-db-commit: killing process'));
  });

  it('throws a FailpointError naming the point', () => {
    arm('order.place.before-commit=throw');
    expect(() => failpoint('order.place.before-commit')).toThrow(new FailpointError('order.place.before-commit'));
  });

  it('counts: 1*throw fails once, then the point is off', async () => {
    arm('order.place.after-commit=1*throw');
    expect(await passes(3)).toEqual(['throw', 'pass', 'pass']);
  });

  it('chains: each task in turn, until its count is used up', async () => {
    arm('order.place.after-commit=2*off->1*throw->kill');
    expect(await passes(5)).toEqual(['pass', 'pass', 'throw', 'kill', 'kill']);
    arm('order.place.after-commit=1*throw->off');
    expect(await passes(3)).toEqual(['throw', 'pass', 'pass']);
  });

  it('delays where the site waits', async () => {
    jest.useFakeTimers();
    arm('order.place.before-commit=delay(3000)');
    let done = false;
    const waiting = failpoint.async('order.place.before-commit').then(() => (done = true));
    await jest.advanceTimersByTimeAsync(2_999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('refuses a delay reached through the sync call', () => {
    arm('order.place.before-commit=delay(10)');
    expect(() => failpoint('order.place.before-commit')).toThrow(/calls failpoint\(\) rather than failpoint\.async\(\)/);
  });

  it('re-arming replaces the plan and restarts the chains', async () => {
    arm('order.place.after-commit=1*throw');
    expect(await passes(1)).toEqual(['throw']);
    arm('order.place.after-commit=1*throw');
    expect(await passes(2)).toEqual(['throw', 'pass']);
    arm('');
    expect(await passes(1)).toEqual(['pass']);
  });

  it('logs what it armed at boot', () => {
    const lines: string[] = [];
    armFailpoints(parseFailpoints('order.place.after-commit=kill'), { log: (l) => lines.push(l) });
    armFailpoints(new Map(), { log: (l) => lines.push(l) });
    expect(lines).toEqual(['failpoints armed: order.place.after-commit=kill', 'failpoints: armed build, nothing armed']);
  });

  it('refuses to load with NODE_ENV=production', () => {
    const before = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      jest.isolateModules(() => {
        expect(() => {
          jest.requireActual('./armed');
        }).toThrow(/NODE_ENV=production: refusing to start/);
      });
    } finally {
      process.env['NODE_ENV'] = before;
    }
  });
});
