import { Nemesis } from '../src/nemesis';
import { waitFor } from '../src/processes';
import { ServiceProcess, startServiceProcess } from '../src/service-process';
import { readStackState } from '../src/status';

/**
 * Readiness follows the Kafka consumer, liveness does not: a service's broker is stopped under it
 * (the real broker of the test stack, killed) and GET /health/ready must fall with the consumer's
 * reason while GET /health/live stays 200; with the broker back, readiness must return by itself
 * (kafkajs restarts and rejoins), in the same process. In the faults phase: it kills the shared
 * stack's broker.
 */
const nemesis = Nemesis.forStack('test');
const state = () => readStackState('test')!;

interface HealthReport {
  status: string;
  details: Record<string, { status: string; phase?: string; message?: string }>;
}

const probe = async (url: string): Promise<{ status: number; report: HealthReport }> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, report: (await res.json()) as HealthReport };
};

/** 0: no answer at all (which liveness must never be). */
const liveStatus = (url: string): Promise<number> => probe(url).then((r) => r.status, () => 0);

let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop();
  // whatever failed above, leave the shared stack whole
  if (!nemesis.kafka.running()) await nemesis.kafka.start();
});

it('kills the broker under order-service: readiness falls with the consumer, liveness stays up; the broker back, readiness recovers in the same process', async () => {
  service = await startServiceProcess(state().info, 'order-service');
  let exited = false;
  void service.waitForExit().then(() => (exited = true));
  const ready = `${service.url}/health/ready`;
  const live = `${service.url}/health/live`;
  expect(await probe(ready)).toMatchObject({ status: 200, report: { details: { database: { status: 'up' }, kafkaConsumer: { status: 'up', phase: 'joined' } } } });

  const livenessSeen: number[] = [];
  await nemesis.kafka.kill();
  const down = await waitFor(
    'order-service readiness to fall without its broker',
    async () => {
      livenessSeen.push(await liveStatus(live));
      const r = await probe(ready);
      return r.status === 503 ? r : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  // the consumer is the reason, not the database
  expect(down.report.details['kafkaConsumer']).toMatchObject({ status: 'down' });
  expect(down.report.details['database']).toMatchObject({ status: 'up' });

  await nemesis.kafka.start();
  const up = await waitFor(
    'order-service readiness to come back with its broker',
    async () => {
      livenessSeen.push(await liveStatus(live));
      const r = await probe(ready);
      return r.status === 200 ? r : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  expect(up.report.details['kafkaConsumer']).toMatchObject({ status: 'up', phase: 'joined' });
  expect(livenessSeen.length).toBeGreaterThan(1);
  expect(new Set(livenessSeen)).toEqual(new Set([200]));
  // recovered by itself: the process it started is the one that serves
  expect(exited).toBe(false);
}, 420_000);
