import { startStack } from '@paystate/stack';

/**
 * Jest global setup for the int and e2e tiers: the real PostgreSQL, Kafka, Kafka Connect and
 * Debezium connectors of the `test` profile (ports distinct from the dev stack). `npm test` starts
 * the stack once for every suite and sets PAYSTATE_TEST_STACK=1; running one tier alone starts it
 * here, and only a stack started here is stopped by the teardown.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['PAYSTATE_TEST_STACK'] === '1') return;
  const info = await startStack({ profile: 'test', services: false });
  (globalThis as { __paystateOwnsStack?: boolean }).__paystateOwnsStack = !info.reused;
}
