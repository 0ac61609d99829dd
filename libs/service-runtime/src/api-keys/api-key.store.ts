import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { SCOPE_PATTERN, apiKeyMatches, generateApiKey, parseApiKey } from './api-key';

/** Who is calling: what the API key guard puts on the request. */
export interface ApiClient {
  clientId: string;
  keyId: string;
  keyPrefix: string;
  scopes: readonly string[];
}

export interface NewApiKey {
  clientId: string;
  name: string;
  scopes: readonly string[];
}

interface ApiKeyRow {
  id: string;
  client_id: string;
  key_prefix: string;
  key_hash: string;
  scopes: string[];
}

/** Creates a key and returns it in full: the only time it is ever visible. */
export async function createApiKey(manager: EntityManager, input: NewApiKey): Promise<{ key: string; id: string; prefix: string }> {
  if (!input.clientId.trim()) throw new Error('an API key needs a client id');
  const bad = input.scopes.filter((s) => !SCOPE_PATTERN.test(s));
  if (bad.length > 0 || input.scopes.length === 0) throw new Error(`invalid scopes: ${bad.join(', ') || '(none given)'}`);
  const generated = generateApiKey();
  const id = randomUUID();
  await manager.query('INSERT INTO api_key (id, client_id, name, key_prefix, key_hash, scopes) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    input.clientId,
    input.name,
    generated.prefix,
    generated.hash,
    [...new Set(input.scopes)],
  ]);
  return { key: generated.key, id, prefix: generated.prefix };
}

/** The client a presented key belongs to, or undefined when it is malformed, unknown or revoked. */
export async function authenticateApiKey(manager: EntityManager, presented: string): Promise<ApiClient | undefined> {
  const parsed = parseApiKey(presented);
  if (!parsed) return undefined;
  const rows = await manager.query<ApiKeyRow[]>('SELECT id, client_id, key_prefix, key_hash, scopes FROM api_key WHERE key_prefix = $1 AND revoked_at IS NULL', [
    parsed.prefix,
  ]);
  const row = rows[0];
  if (!row || !apiKeyMatches(parsed.key, row.key_hash)) return undefined;
  return { clientId: row.client_id, keyId: row.id, keyPrefix: row.key_prefix, scopes: row.scopes };
}

/** Revokes a key by its prefix; resolves false when there was no live key with that prefix. */
export async function revokeApiKey(manager: EntityManager, prefix: string): Promise<boolean> {
  const rows = await manager.query<{ n: number }[]>(
    'WITH revoked AS (UPDATE api_key SET revoked_at = now() WHERE key_prefix = $1 AND revoked_at IS NULL RETURNING 1) SELECT count(*)::int AS n FROM revoked',
    [prefix],
  );
  return (rows[0]?.n ?? 0) > 0;
}
