/**
 * Test-only crash points: `PAYSTATE_CRASH_POINT=<name>` makes the process kill itself (SIGKILL, no
 * cleanup, like a power cut) the first time it reaches that point. Disabled unless
 * `PAYSTATE_ENABLE_CRASH_POINTS=1` and NODE_ENV is not `production`, so a stray variable in
 * production does nothing.
 */
export type CrashPointName =
  | 'consumer.after-db-commit'
  /** The same, only after the commit of a handled event of that type, e.g. `consumer.after-db-commit:PaymentCaptured`. */
  | `consumer.after-db-commit:${string}`
  | 'outbox.after-commit'
  | 'payment.after-processor-call'
  | (string & {});

const armed: string | undefined =
  process.env['PAYSTATE_ENABLE_CRASH_POINTS'] === '1' && process.env['NODE_ENV'] !== 'production'
    ? process.env['PAYSTATE_CRASH_POINT']
    : undefined;

export function crashPoint(name: CrashPointName): void {
  if (armed !== undefined && armed === name) {
    process.stderr.write(`crash point ${name} reached: killing process ${process.pid}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
