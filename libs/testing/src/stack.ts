import { Client } from 'pg';
import { Nemesis, readStackInfo, StackInfo } from '@paystate/stack';

/** The running test stack (started by the global setup). */
export function testStack(): StackInfo {
  const info = readStackInfo('test');
  if (!info) throw new Error('the test stack is not running: run the suite through `npm test` or its Jest global setup');
  return info;
}

/**
 * The nemesis of the test stack: kill, pause or restart a service, Kafka Connect or the broker;
 * processor, carrier and SMTP faults. Found through the stack's state.json, so it works while Connect
 * or the broker is down.
 */
export function testNemesis(): Nemesis {
  return Nemesis.forStack('test');
}

/** Runs SQL against one of the stack's databases as the superuser: for assertions, never for setup shortcuts. */
export async function queryAsSuperuser<T = Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(testStack().pg.superuserUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const result = await client.query(sql, params);
    return result.rows as T[];
  } finally {
    await client.end();
  }
}
