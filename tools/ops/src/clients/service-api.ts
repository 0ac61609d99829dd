import type { ServiceSettings } from '../settings';
import { envStem } from '../settings';
import { EXIT, OpsError, failure, unavailable, usageError } from '../errors';

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/**
 * Calls a service's operator API with its API key (settings: PAYSTATE_<SERVICE>_API_KEY, or the
 * dev stack's key). No key → a usage error saying which variable to set; unreachable → 69;
 * 401/403 → a failure naming the scope problem. Other statuses are returned for the command to read.
 */
export async function callService<T>(svc: ServiceSettings, method: 'GET' | 'POST', path: string, options: { body?: unknown; idempotencyKey?: string; timeoutMs?: number } = {}): Promise<ApiAnswer<T>> {
  if (!svc.apiKey) throw usageError(`no API key for ${svc.name}`, `set PAYSTATE_${envStem(svc.name)}_API_KEY to a key of ${svc.name} with the scope the command needs`);
  let res: Response;
  try {
    res = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${svc.apiKey}`,
        accept: 'application/json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw unavailable(`${svc.name} (${svc.url})`, error);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  if (res.status === 401 || res.status === 403) {
    throw failure(`${svc.name} refused the API key (${res.status} on ${method} ${path})`, `use a key of ${svc.name} with the scope this needs (PAYSTATE_${envStem(svc.name)}_API_KEY)`);
  }
  if (res.status >= 500) throw new OpsError(EXIT.unavailable, `${svc.name} answered ${res.status} on ${method} ${path}: ${problemText(body)}`, 'look at the service’s log; retry once it is healthy');
  return { status: res.status, body: body as T };
}

/** The detail of a problem+json body, or the body itself. */
export function problemText(body: unknown): string {
  if (body && typeof body === 'object') {
    const p = body as { title?: unknown; detail?: unknown };
    if (typeof p.detail === 'string') return typeof p.title === 'string' ? `${p.title}: ${p.detail}` : p.detail;
  }
  return typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body);
}
