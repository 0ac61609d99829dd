/**
 * Test-only hooks, gated exactly like crashPoint (libs/messaging): inert unless
 * `PAYSTATE_ENABLE_CRASH_POINTS=1` and NODE_ENV is not `production`, so a stray variable in
 * production does nothing.
 *   testDelay(name)  sleeps PAYSTATE_TEST_DELAY_MS (default 1000) when PAYSTATE_TEST_DELAY=name:
 *                    holds a request in flight (e.g. for the 409 of a concurrent retry);
 *   failOnce(name)   throws the first time it is reached when PAYSTATE_FAIL_ONCE=name: a 5xx.
 */
const enabled = process.env['PAYSTATE_ENABLE_CRASH_POINTS'] === '1' && process.env['NODE_ENV'] !== 'production';
const delayAt = enabled ? process.env['PAYSTATE_TEST_DELAY'] : undefined;
const delayMs = Number(process.env['PAYSTATE_TEST_DELAY_MS'] ?? 1000);
const failAt = enabled ? process.env['PAYSTATE_FAIL_ONCE'] : undefined;
let failed = false;

export async function testDelay(name: string): Promise<void> {
  if (delayAt === undefined || delayAt !== name) return;
  process.stderr.write(`test delay ${name}: sleeping ${delayMs} ms\n`);
  await new Promise((resolve) => setTimeout(resolve, Number.isFinite(delayMs) ? delayMs : 1000));
}

export function failOnce(name: string): void {
  if (failAt === undefined || failAt !== name || failed) return;
  failed = true;
  process.stderr.write(`test failure ${name}: failing this once\n`);
  throw new Error(`test hook: failing once at ${name}`);
}
