import { createHash } from 'node:crypto';
import type { LetterRow, RedriveRow } from './store';

/** A letter as `ops dlq list` prints it (no payload). */
export interface LetterSummary {
  id: string;
  service: string;
  group: string;
  handler: string;
  type: string | null;
  order: string | null;
  status: string;
  attempts: number;
  redriveCount: number;
  createdAt: string;
  redrivenAt: string | null;
  /** The latest error (the last redrive's if it failed again, else the consumer's). */
  lastError: string;
}

export function summary(service: string, row: LetterRow): LetterSummary {
  const errors = row.errors ?? [];
  return {
    id: row.id,
    service,
    group: row.consumer_group,
    handler: row.handler,
    type: row.headers['eventType'] ?? null,
    order: row.kafka_key,
    status: row.status,
    attempts: row.attempts,
    redriveCount: row.redrive_count,
    createdAt: row.created_at.toISOString(),
    redrivenAt: row.redriven_at ? row.redriven_at.toISOString() : null,
    lastError: errors.length > 0 ? errors[errors.length - 1]!.error : row.error,
  };
}

/**
 * The payload as shown without --show-payload (AxonIQ's "masked" mode, ops-anchors §1.7): its
 * size, a hash to compare two letters by, the top-level field names, and the fields that are ids.
 * Amounts, e-mail addresses and card tokens stay hidden.
 */
export function maskedPayload(value: string | null): { bytes: number; sha256: string | null; fields: string[]; ids: Record<string, string> } {
  if (value === null) return { bytes: 0, sha256: null, fields: [], ids: {} };
  const bytes = Buffer.byteLength(value, 'utf8');
  const sha256 = createHash('sha256').update(value).digest('hex');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { bytes, sha256, fields: [], ids: {} };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { bytes, sha256, fields: [], ids: {} };
  const entries = Object.entries(parsed as Record<string, unknown>);
  const ids = Object.fromEntries(entries.filter(([k, v]) => /(^id|Id)$/.test(k) && typeof v === 'string').map(([k, v]) => [k, v as string]));
  return { bytes, sha256, fields: entries.map(([k]) => k), ids };
}

export type PayloadView = { shown: true; value: unknown } | ({ shown: false } & ReturnType<typeof maskedPayload>);

/** The letter in full for `ops dlq show`. */
export function detail(service: string, row: LetterRow, history: readonly RedriveRow[], showPayload: boolean) {
  let payload: unknown = row.value;
  try {
    payload = row.value === null ? null : JSON.parse(row.value);
  } catch {
    // not JSON (a poison record): shown as the text it is
  }
  return {
    ...summary(service, row),
    eventId: row.event_id,
    record: { topic: row.topic, partition: row.kafka_partition, offset: row.kafka_offset, key: row.kafka_key, headers: row.headers },
    payload: (showPayload ? { shown: true, value: payload } : { shown: false, ...maskedPayload(row.value) }) satisfies PayloadView,
    errors: [
      { source: 'consumer', at: row.created_at.toISOString(), kind: row.error_kind, attempts: row.attempts, error: row.error },
      ...(row.errors ?? []).map((e) => ({ source: 'redrive', at: new Date(e.at).toISOString(), error: e.error })),
    ],
    redrives: history.map((h) => ({
      id: h.id,
      requestedBy: h.requested_by,
      reason: h.reason,
      requestedAt: h.requested_at.toISOString(),
      finishedAt: h.finished_at ? h.finished_at.toISOString() : null,
      outcome: h.outcome ?? 'pending',
      error: h.error,
    })),
  };
}
