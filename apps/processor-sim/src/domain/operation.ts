/** The four calls that change something at the processor; each is one idempotent operation. */
export const OPERATIONS = ['authorise', 'capture', 'void', 'refund'] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** JSON with object keys sorted at every level: equal values give equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * What makes two requests "the same request" for the idempotency layer: the operation, the
 * resource it acts on and the canonical body. Same key with another fingerprint is a misuse (422).
 */
export function requestFingerprint(operation: OperationName, path: string, body: unknown): string {
  return `${operation} ${path} ${canonicalJson(body ?? {})}`;
}
