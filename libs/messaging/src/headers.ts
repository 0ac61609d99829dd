import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';

/** Kafka headers every saga event carries (SPEC §3.2); Debezium's EventRouter sets them from outbox columns. */
export const HEADER = {
  id: 'id',
  eventType: 'eventType',
  eventVersion: 'eventVersion',
  correlationId: 'correlationId',
  causationId: 'causationId',
  traceparent: 'traceparent',
  /** When the emitting service committed the fact (the outbox row's occurred_at). */
  occurredAt: 'occurredAt',
} as const;

/** Kafka headers are bytes (or arrays of them); we only ever use single UTF-8 strings. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A new W3C trace context: the start of a trace (an HTTP request with no incoming traceparent). */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/** The same trace, a new span: what an event caused by another event (or request) carries. */
export function childTraceparent(parent: string | undefined): string {
  const match = parent ? TRACEPARENT.exec(parent) : null;
  if (!match) return newTraceparent();
  return `00-${match[1]}-${randomBytes(8).toString('hex')}-${match[3]}`;
}

export const traceIdOf = (traceparent: string | undefined): string | undefined =>
  traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
