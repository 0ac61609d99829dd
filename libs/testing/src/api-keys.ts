import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { testStack } from './stack';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..', '..');

/**
 * Creates an API key for a client of a service of the test stack through the service's own CLI
 * (`apps/<service>/dist/src/cli/create-api-key.js`, with the service's env), as an operator would.
 * Resolves to the key.
 */
export async function createApiKey(service: string, opts: { clientId: string; scopes: string[]; name?: string }): Promise<string> {
  const svc = testStack().services[service];
  if (!svc) throw new Error(`${service} is not part of the test stack`);
  const cli = path.join(repoRoot, 'apps', service, 'dist', 'src', 'cli', 'create-api-key.js');
  const args = [cli, '--client', opts.clientId, '--scopes', opts.scopes.join(','), ...(opts.name ? ['--name', opts.name] : [])];
  const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...svc.env } });
  const key = stdout.trim();
  if (!/^psk_\S+$/.test(key)) throw new Error(`create-api-key printed no key: ${JSON.stringify(stdout)}`);
  return key;
}

/** Headers of an authenticated call, with an Idempotency-Key when one is given. */
export const apiHeaders = (apiKey: string, idempotencyKey?: string): Record<string, string> => ({
  authorization: `Bearer ${apiKey}`,
  ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
});
