import { Client } from 'pg';
import { unavailable } from '../errors';

/** Where a PostgreSQL URL points, without its password: for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Runs `work` with one connection, closed afterwards. An unreachable server or missing database is
 * an `unavailable` error naming it; errors from `work` pass through unchanged.
 */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000, statement_timeout: 60_000, application_name: 'paystate-ops' });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unavailable(`PostgreSQL (${redactedUrl(url)})`, error);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
