import { randomUUID } from 'node:crypto';
import { failpointsEnv } from '@paystate/failpoints';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { anOrderRequest, apiHeaders, createApiKey, freePort, queryAsSuperuser, requestRaw, testStack, waitFor } from '@paystate/testing';

/**
 * GET /health/live and /health/ready of running services, through HTTP only. The pool case holds
 * every connection of order-service's pool with real requests (two orders that wait 12 s inside
 * their transaction, a failpoint, on a pool of two) and asks readiness: it must answer within the
 * probe's 2 s timeout that the database does not answer, while liveness stays 200, and be ready
 * again once the orders commit. The broker case is in infra/stack/test/service-health.int.spec.ts
 * (the faults phase: it kills the shared broker).
 */
const info = testStack();
const DATABASE_TIMEOUT_MS = 2_000;
const HOLD_MS = 12_000;

interface HealthReport {
  status: string;
  details: Record<string, { status: string; ms?: number; message?: string; phase?: string }>;
}

async function health(url: string): Promise<{ status: number; headers: Headers; report: HealthReport }> {
  // the client's own limit is well above the probe's timeout: a probe that hangs fails here
  const res = await fetch(url, { signal: AbortSignal.timeout(DATABASE_TIMEOUT_MS + 5_000) });
  return { status: res.status, headers: res.headers, report: (await res.json()) as HealthReport };
}

const running: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
});

it('holds every connection of order-service’s pool: readiness reports the database down within its timeout, liveness stays 200; the orders committed, it is ready again', async () => {
  const service = await startServiceProcess(info, 'order-service', {
    PORT: String(await freePort()),
    DATABASE_POOL_SIZE: '2',
    PAYSTATE_FAILPOINTS: failpointsEnv({ 'order.place.before-commit': `2*delay(${HOLD_MS})` }),
  });
  running.push(service);
  const key = await createApiKey('order-service', { clientId: `health-${randomUUID().slice(0, 8)}`, scopes: ['orders:write'] });
  expect(await health(`${service.url}/health/ready`)).toMatchObject({ status: 200, report: { details: { database: { status: 'up' } } } });

  const holders = [1, 2].map(() => requestRaw(`${service.url}/orders`, { method: 'POST', body: anOrderRequest(), headers: apiHeaders(key, randomUUID()) }));
  // both connections are in the orders' transactions, waiting at the failpoint
  await waitFor(
    'two order-service connections idle in transaction',
    async () => {
      const [row] = await queryAsSuperuser<{ n: number }>('paystate_order', "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'order-service' AND state = 'idle in transaction'");
      return (row?.n ?? 0) >= 2 ? true : undefined;
    },
    { timeoutMs: HOLD_MS / 2, intervalMs: 100 },
  );

  const ready = await health(`${service.url}/health/ready`);
  expect(ready.status).toBe(503);
  expect(ready.report.details['database']).toMatchObject({ status: 'down', message: expect.stringMatching(new RegExp(`^no answer within ${DATABASE_TIMEOUT_MS} ms`)) });
  // the probe gave up at its timeout instead of waiting for a connection (the pool's own wait is 10 s)
  expect(ready.report.details['database']!.ms).toBeLessThan(DATABASE_TIMEOUT_MS + 1_000);
  // the consumer is not what fell
  expect(ready.report.details['kafkaConsumer']).toMatchObject({ status: 'up' });
  expect(await health(`${service.url}/health/live`)).toMatchObject({ status: 200, report: { status: 'ok' } });

  expect((await Promise.all(holders)).map((r) => r.status)).toEqual([201, 201]);
  const back = await waitFor('order-service ready again', async () => {
    const r = await health(`${service.url}/health/ready`);
    return r.status === 200 ? r : undefined;
  });
  expect(back.report.details['database']).toMatchObject({ status: 'up' });
  expect(await health(`${service.url}/health/live`)).toMatchObject({ status: 200 });
});

it('processor-sim has no consumer: readiness is its database alone, liveness its event loop; GET /health is the deprecated alias of ready', async () => {
  const processor = await startServiceProcess(info, 'processor-sim', { PORT: String(await freePort()) });
  running.push(processor);
  const ready = await health(`${processor.url}/health/ready`);
  expect([ready.status, Object.keys(ready.report.details)]).toEqual([200, ['database']]);
  const live = await health(`${processor.url}/health/live`);
  expect([live.status, Object.keys(live.report.details)]).toEqual([200, ['eventLoop']]);

  const alias = await health(`${processor.url}/health`);
  expect([alias.status, Object.keys(alias.report.details)]).toEqual([200, ['database']]);
  expect(alias.headers.get('deprecation')).toMatch(/^@\d+$/);
  expect(alias.headers.get('link')).toContain('</health/ready>; rel="successor-version"');
  expect(ready.headers.get('deprecation')).toBeNull();
  // a probe's answer is about now: nothing between may cache it
  expect(ready.headers.get('cache-control')).toContain('no-store');
});
