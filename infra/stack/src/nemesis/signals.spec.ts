import { ChildProcess, spawn } from 'node:child_process';
import { killPid, pausePid, requireAlive, resumePid, runState } from './signals';

// A real process of our own, so what is checked is what the kernel reports.
let child: ChildProcess;
beforeEach(() => {
  child = spawn('sleep', ['30'], { stdio: 'ignore' });
});
afterEach(() => {
  child.kill('SIGKILL');
});

describe('signals to a recorded pid', () => {
  it('pause stops the process, resume continues it, kill makes it gone', async () => {
    const pid = child.pid!;
    expect(runState(pid)).toBe('running');
    await pausePid(pid, undefined, 'sleeper');
    expect(runState(pid)).toBe('paused');
    await resumePid(pid, undefined, 'sleeper');
    expect(runState(pid)).toBe('running');
    await killPid(pid, undefined, 'sleeper');
    expect(runState(pid)).toBe('gone');
  });

  it('a paused process can still be killed', async () => {
    const pid = child.pid!;
    await pausePid(pid, undefined, 'sleeper');
    await killPid(pid, undefined, 'sleeper');
    expect(runState(pid)).toBe('gone');
  });

  it('a pid whose command line does not match is not ours: it counts as gone and is never signalled', async () => {
    const pid = child.pid!;
    expect(runState(pid, 'kafka.Kafka')).toBe('gone');
    await expect(pausePid(pid, 'kafka.Kafka', 'kafka')).rejects.toThrow('kafka is not running');
    expect(runState(pid)).toBe('running');
  });

  it('acting on something that is not running names it', async () => {
    await killPid(child.pid!, undefined, 'sleeper');
    expect(() => requireAlive(child.pid, undefined, 'order-service')).toThrow('order-service is not running');
    expect(() => requireAlive(undefined, undefined, 'kafka connect')).toThrow('kafka connect is not running');
  });
});
