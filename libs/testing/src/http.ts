import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request to a service of the stack; the body is parsed when it is JSON. */
export async function requestJson<T = unknown>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The body exactly as received (for byte-for-byte comparisons). */
  text: string;
}

/**
 * A request whose body is sent exactly as given (a string is not re-serialised; an object is
 * JSON-encoded) and whose response body is returned as text. Headers given override the default
 * `content-type: application/json`; as a list of [name, value] pairs a field may be repeated, sent
 * as separate header lines (fetch would merge them into one).
 */
export function requestRaw(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> | [string, string][] } = {},
): Promise<RawResponse> {
  const body = init.body === undefined ? undefined : Buffer.from(typeof init.body === 'string' ? init.body : JSON.stringify(init.body), 'utf8');
  const fields = new Map<string, { name: string; values: string[] }>();
  if (body) fields.set('content-type', { name: 'content-type', values: ['application/json'] });
  const given = Array.isArray(init.headers) ? init.headers : Object.entries(init.headers ?? {});
  const seen = new Set<string>();
  for (const [name, value] of given) {
    const lower = name.toLowerCase();
    const field = seen.has(lower) ? fields.get(lower) : undefined;
    if (field) field.values.push(value);
    else fields.set(lower, { name, values: [value] });
    seen.add(lower);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    for (const { name, values } of fields.values()) req.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
    if (body) req.setHeader('content-length', String(body.length));
    req.end(body);
  });
}

/** A TCP port nothing listens on right now (for a second instance of a service). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
