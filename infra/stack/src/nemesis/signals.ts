// Signals to one recorded pid, and waiting until the kernel shows their effect: gone after SIGKILL,
// stopped after SIGSTOP, running again after SIGCONT. Only pids the runner or a test started.
import { readFileSync } from 'node:fs';
import { StackError } from '../profile';
import { isAlive, signal, sleep } from '../processes';

export type RunState = 'running' | 'paused' | 'gone';

/** From /proc/<pid>/stat: `T` (stopped by a signal) and `t` (traced) are paused. Without procfs, alive counts as running. */
export function runState(pid: number | undefined, match?: string): RunState {
  if (!isAlive(pid, match)) return 'gone';
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'T' || state === 't' ? 'paused' : 'running';
  } catch {
    return isAlive(pid, match) ? 'running' : 'gone';
  }
}

async function waitState(pid: number, match: string | undefined, label: string, wanted: (s: RunState) => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!wanted(runState(pid, match))) {
    if (Date.now() > deadline) throw new StackError(`${label} (pid ${pid}) is not ${what} ${Math.round(timeoutMs / 1000)} s after the signal (${runState(pid, match)})`);
    await sleep(50);
  }
}

/** The pid, if it is running (paused or not); else a clear error naming the target. */
export function requireAlive(pid: number | undefined, match: string | undefined, label: string): number {
  if (pid === undefined || runState(pid, match) === 'gone') throw new StackError(`${label} is not running`);
  return pid;
}

/** SIGKILL: a crash. Resolves once the process is gone. */
export async function killPid(pid: number, match: string | undefined, label: string): Promise<void> {
  if (runState(pid, match) === 'gone') return;
  signal(pid, 'SIGKILL');
  await waitState(pid, match, label, (s) => s === 'gone', 'gone', 10_000);
}

/** SIGSTOP: the process keeps its sockets but answers nothing (a GC pause, a frozen VM). */
export async function pausePid(pid: number, match: string | undefined, label: string): Promise<void> {
  requireAlive(pid, match, label);
  signal(pid, 'SIGSTOP');
  await waitState(pid, match, label, (s) => s !== 'running', 'paused', 5_000);
}

/** SIGCONT: it carries on where it was stopped. */
export async function resumePid(pid: number, match: string | undefined, label: string): Promise<void> {
  requireAlive(pid, match, label);
  signal(pid, 'SIGCONT');
  await waitState(pid, match, label, (s) => s !== 'paused', 'running again', 5_000);
}
