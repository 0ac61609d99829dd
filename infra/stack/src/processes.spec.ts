import { StackError } from './profile';
import { waitFor } from './processes';

describe('waitFor', () => {
  it('returns the first defined value, retrying through ordinary errors', async () => {
    let calls = 0;
    const value = await waitFor('x', async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection refused');
      return calls < 3 ? undefined : 'ok';
    }, { timeoutMs: 1_000, intervalMs: 1 });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('times out with the description and the last error', async () => {
    await expect(
      waitFor('the broker', async () => {
        throw new Error('ECONNREFUSED');
      }, { timeoutMs: 20, intervalMs: 5 }),
    ).rejects.toThrow(/waiting for the broker \(last error: ECONNREFUSED\)/);
  });

  it('stops at once on a StackError verdict from the probe or the check', async () => {
    let calls = 0;
    await expect(
      waitFor('x', async () => {
        calls += 1;
        throw new StackError('connector FAILED');
      }, { timeoutMs: 10_000, intervalMs: 1 }),
    ).rejects.toThrow('connector FAILED');
    expect(calls).toBe(1);
    await expect(waitFor('x', async () => undefined, { timeoutMs: 10_000, check: () => { throw new StackError('process died'); } })).rejects.toThrow('process died');
  });
});
