import type { DataSource, EntityManager } from 'typeorm';
import { IdempotencyClaim, IdempotentResponse, answerIdempotently } from '../idempotency';
import { refreshStuckGauge } from './stuck-monitor';
import { StuckRow, stuckStore } from './stuck-store';

/** One stuck report as the API shows it (GET /sagas/stuck), with its age against the SLA. */
export interface StuckView {
  service: string;
  orderId: string;
  subjectId: string;
  stage: string;
  level: string;
  since: string;
  ageMs: number;
  /** The stage's SLA now (null when the stage has none configured any more). */
  slaMs: number | null;
  thresholdMs: number;
  awaiting: { event: string; producer: string };
  /** How often the awaited step was tried and its last error, where the service knows them. */
  attempts: number | null;
  lastError: string | null;
  firstSeen: string;
  eventId: string;
  acknowledged: { at: string; by: string; note: string | null } | null;
}

export interface StuckDetail {
  attempts: number | null;
  lastError: string | null;
}

export function stuckView(service: string, row: StuckRow, now: Date, slaMs: number | null, detail: StuckDetail): StuckView {
  return {
    service,
    orderId: row.orderId,
    subjectId: row.subjectId,
    stage: row.stage,
    level: row.level,
    since: row.since.toISOString(),
    ageMs: now.getTime() - row.since.getTime(),
    slaMs,
    thresholdMs: row.thresholdMs,
    awaiting: { event: row.awaitingEvent, producer: row.awaitingProducer },
    attempts: detail.attempts,
    lastError: detail.lastError,
    firstSeen: row.firstSeen.toISOString(),
    eventId: row.eventId,
    acknowledged: row.acknowledgedAt ? { at: row.acknowledgedAt.toISOString(), by: row.acknowledgedBy ?? 'unknown', note: row.note } : null,
  };
}

/**
 * The open reports, one per subject and stage (the highest level reported), unacknowledged only
 * unless asked: what `GET /sagas/stuck` answers.
 */
export async function openStuckReports(manager: EntityManager, includeAcknowledged: boolean): Promise<StuckRow[]> {
  const open = await stuckStore.open(manager);
  const top = new Map<string, StuckRow>();
  for (const row of open) {
    const key = `${row.subjectId}/${row.stage}/${row.since.toISOString()}`;
    const held = top.get(key);
    if (!held || (held.level === 'WARNING' && row.level === 'CRITICAL')) top.set(key, row);
  }
  // an episode counts as acknowledged only when its highest level is
  return [...top.values()].filter((r) => includeAcknowledged || r.acknowledgedAt === null);
}

export type AcknowledgeResult = { ok: true; acknowledged: StuckRow[]; open: StuckRow[] } | { ok: false; reason: 'nothing-open' };

/**
 * An operator has the order in hand: its open reports are acknowledged (not reported again; only a
 * new crossing is), the gauge drops. Idempotent: the key completes in the same transaction.
 */
export async function acknowledgeStuck(
  dataSource: DataSource,
  orderId: string,
  by: string,
  note: string,
  stages: readonly string[],
  idempotency: { claim: IdempotencyClaim; respond: (result: AcknowledgeResult) => IdempotentResponse },
  now = new Date(),
): Promise<IdempotentResponse> {
  const { response } = await answerIdempotently(dataSource, idempotency, async (manager): Promise<AcknowledgeResult> => {
    const acknowledged = await stuckStore.acknowledge(manager, orderId, by, note, now);
    const open = await stuckStore.openOf(manager, orderId);
    return open.length === 0 ? { ok: false, reason: 'nothing-open' } : { ok: true, acknowledged, open };
  });
  await refreshStuckGauge(dataSource.manager, stages);
  return response;
}
