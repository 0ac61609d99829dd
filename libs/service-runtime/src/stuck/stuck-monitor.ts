import type { DataSource, EntityManager } from 'typeorm';
import { Gauge, register } from 'prom-client';
import { v5 as uuidv5 } from 'uuid';
import { Crossing, StuckPolicy, decideStuck } from './stuck-decider';
import { StuckRow, stuckStore } from './stuck-store';

/** A subject in a watched stage, as the service's own query finds it. */
export interface WatchedSubject {
  subjectId: string;
  orderId: string;
  stage: string;
  since: Date;
  slaMs: number;
  /** What it waits for, and who produces it (an event and its service, or a person). */
  awaiting: { event: string; producer: string };
}

/** What a service gives the monitor: where its subjects are, and the event a crossing appends. */
export interface StuckSource {
  /** Every subject in a watched stage for at least that stage's SLA at `now`. */
  watched(manager: EntityManager, now: Date): Promise<WatchedSubject[]>;
  /** Every stage the service watches (the gauge shows each, 0 when none is stuck). */
  readonly stages: readonly string[];
  /**
   * Appends the event of a new crossing (with the id it must carry) to the outbox, in the
   * transaction `manager` runs (the service calls appendToOutbox itself: what it emits stays
   * visible in its own code).
   */
  appendEvent(manager: EntityManager, subject: WatchedSubject, crossing: Crossing, eventId: string, now: Date): Promise<unknown>;
}

export interface StuckMonitorOutcome {
  reported: { subjectId: string; stage: string; level: string; eventId: string }[];
  resolved: number;
}

// the event ids of the monitor's crossings: uuidv5 of (service, subject, stage, since, level)
const STUCK_NAMESPACE = '5f0d7c1e-3b8a-4c2e-9d61-7a4b2e8f1c03';

/** The id of a crossing's event, the same on every instance and every run. */
export const stuckEventId = (service: string, c: { subjectId: string; stage: string; since: Date; level: string }): string =>
  uuidv5(`${service}/stuck/${c.subjectId}/${c.stage}/${c.since.toISOString()}/${c.level}`, STUCK_NAMESPACE);

/**
 * What every stuck event (SagaStuck, PaymentStuck) says of a crossing, and its cause: correlated
 * with the order, caused by `<monitor>/<stage>/<level>`. A service adds its own fields and appends
 * the event itself.
 */
export function stuckEventFacts(monitor: string, subject: WatchedSubject, crossing: Crossing, now: Date) {
  return {
    cause: { correlationId: subject.orderId, causationId: `${monitor}/${crossing.stage}/${crossing.level}` },
    payload: {
      orderId: subject.orderId,
      stage: crossing.stage,
      level: crossing.level,
      thresholdMs: crossing.thresholdMs,
      since: crossing.since.toISOString(),
      detectedAt: now.toISOString(),
      awaiting: subject.awaiting,
    },
  };
}

let gauge: Gauge<'state'> | undefined;
/** `paystate_stuck_sagas{state}`: subjects with an open, unacknowledged report, per stage. */
export function stuckGauge(): Gauge<'state'> {
  gauge ??= (register.getSingleMetric('paystate_stuck_sagas') as Gauge<'state'> | undefined) ??
    new Gauge({ name: 'paystate_stuck_sagas', help: 'Sagas (or payments) stuck past their stage’s SLA and not acknowledged, by stage', labelNames: ['state'] });
  return gauge;
}

/**
 * One look of the saga monitor: finds the subjects past their SLA, reports each new crossing (the
 * row and its event in one transaction, the row's unique key making a second instance's insert a
 * no-op that appends nothing), resolves the reports of subjects that moved on, and sets the gauge.
 */
export async function runStuckMonitor(dataSource: DataSource, service: string, source: StuckSource, policy: StuckPolicy, now = new Date()): Promise<StuckMonitorOutcome> {
  const watched = await source.watched(dataSource.manager, now);
  const open = await stuckStore.open(dataSource.manager);
  const openBySubject = new Map<string, StuckRow[]>();
  for (const row of open) openBySubject.set(row.subjectId, [...(openBySubject.get(row.subjectId) ?? []), row]);
  const outcome: StuckMonitorOutcome = { reported: [], resolved: 0 };

  const watchedIds = new Set<string>();
  for (const subject of watched) {
    watchedIds.add(subject.subjectId);
    const reported = openBySubject.get(subject.subjectId) ?? [];
    const decision = decideStuck({ stage: subject.stage, since: subject.since, slaMs: subject.slaMs }, reported, now, policy);
    if (!decision.report && decision.resolve.length === 0) continue;
    await dataSource.transaction(async (manager) => {
      for (const r of decision.resolve) outcome.resolved += await stuckStore.resolve(manager, subject.subjectId, r.stage, r.since, now);
      const c = decision.report;
      if (!c) return;
      const eventId = stuckEventId(service, { subjectId: subject.subjectId, ...c });
      const inserted = await stuckStore.insert(manager, { subjectId: subject.subjectId, orderId: subject.orderId, stage: c.stage, since: c.since, level: c.level, thresholdMs: c.thresholdMs, awaitingEvent: subject.awaiting.event, awaitingProducer: subject.awaiting.producer, eventId }, now);
      if (!inserted) return; // another instance reported it, event and all
      await source.appendEvent(manager, subject, c, eventId, now);
      outcome.reported.push({ subjectId: subject.subjectId, stage: c.stage, level: c.level, eventId });
    });
  }
  // reported subjects no longer in any watched stage (terminal, or moved to a stage not yet due): over
  for (const [subjectId, rows] of openBySubject) {
    if (watchedIds.has(subjectId)) continue;
    const decision = decideStuck(null, rows, now, policy);
    await dataSource.transaction(async (manager) => {
      for (const r of decision.resolve) outcome.resolved += await stuckStore.resolve(manager, subjectId, r.stage, r.since, now);
    });
  }
  await refreshStuckGauge(dataSource.manager, source.stages);
  return outcome;
}

export async function refreshStuckGauge(manager: EntityManager, stages: readonly string[]): Promise<void> {
  const counts = await stuckStore.unacknowledgedByStage(manager);
  const g = stuckGauge();
  for (const stage of new Set([...stages, ...counts.keys()])) g.set({ state: stage }, counts.get(stage) ?? 0);
}
