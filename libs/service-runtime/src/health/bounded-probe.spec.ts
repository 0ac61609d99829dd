import { BoundedProbe } from './bounded-probe';

/** A dependency the test answers by hand. */
function pending() {
  let answer!: () => void;
  let fail!: (error: Error) => void;
  const attempts: Promise<void>[] = [];
  const attempt = () => {
    const p = new Promise<void>((resolve, reject) => {
      answer = resolve;
      fail = reject;
    });
    attempts.push(p);
    return p;
  };
  return { attempt, attempts, answer: () => answer(), fail: (e: Error) => fail(e) };
}

describe('BoundedProbe: answers within its timeout, one attempt outstanding at most', () => {
  it('is up when the dependency answers in time', async () => {
    const probe = new BoundedProbe(() => Promise.resolve(1), 1_000);
    await expect(probe.check()).resolves.toMatchObject({ ok: true });
  });

  it('is down with the error when the dependency fails', async () => {
    const probe = new BoundedProbe(() => Promise.reject(new Error('connection refused')), 1_000);
    await expect(probe.check()).resolves.toMatchObject({ ok: false, reason: 'connection refused' });
  });

  it('is down within the timeout when the dependency hangs, and later checks share the hanging attempt', async () => {
    const dep = pending();
    const probe = new BoundedProbe(dep.attempt, 50);
    const first = await probe.check();
    expect(first).toMatchObject({ ok: false });
    expect(first.ok ? '' : first.reason).toMatch(/^no answer within 50 ms \(the attempt in flight has waited \d+ ms\)$/);
    expect(first.ms).toBeLessThan(1_000);
    await probe.check();
    expect(dep.attempts).toHaveLength(1);

    // the dependency answers: the next check starts a fresh attempt and is up
    dep.answer();
    await new Promise((resolve) => setImmediate(resolve)); // every promise reaction of the answer has run
    const again = probe.check();
    dep.answer();
    await expect(again).resolves.toMatchObject({ ok: true });
    expect(dep.attempts).toHaveLength(2);
  });

  it('refuses a timeout that is not positive', () => {
    expect(() => new BoundedProbe(() => Promise.resolve(), 0)).toThrow('a probe timeout must be positive, got 0');
  });
});
