import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SagaStuckV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { StuckSagaMonitor, StuckSource, WatchedSubject, stuckEventFacts } from '@paystate/service-runtime';
import { AWAITING, SAGA_STAGES, SagaSlas, SagaStage, sagaStageOf } from '../../domain/saga-stage';
import { StuckSagaQueries } from '../../infrastructure/persistence/stuck-saga-queries';

export const SAGA_MONITOR_SETTINGS = Symbol('SAGA_MONITOR_SETTINGS');
export interface SagaMonitorSettings {
  slas: SagaSlas;
  escalation: number;
  intervalMs: number;
}

/** The orders idle in a stage of their saga for at least that stage's SLA, and the SagaStuck event of a crossing. */
function orderSagaSource(queries: StuckSagaQueries, slas: SagaSlas): StuckSource {
  const minSla = Math.min(...Object.values(slas));
  return {
    stages: SAGA_STAGES,
    watched: async (manager, now) => {
      const idle = await queries.idleSince(manager, new Date(now.getTime() - minSla));
      return idle.flatMap((o): WatchedSubject[] => {
        const stage = sagaStageOf(o);
        if (!stage) return [];
        const slaMs = slas[stage];
        if (now.getTime() - o.since.getTime() < slaMs) return [];
        return [{ subjectId: o.id, orderId: o.id, stage, since: o.since, slaMs, awaiting: AWAITING[stage] }];
      });
    },
    appendEvent: (manager, subject, crossing, eventId, now) => {
      const { cause, payload } = stuckEventFacts('saga-monitor', subject, crossing, now);
      return appendToOutbox(manager, [{ contract: SagaStuckV1, id: eventId, aggregateId: subject.orderId, cause, occurredAt: now, payload }]);
    },
  };
}

/**
 * The saga monitor of order-service (SPEC §8, ADR 0017): the orders that stayed in a stage of their
 * saga past its SLA are reported once per threshold crossing (a `stuck_saga` row and a SagaStuck
 * event on order.events, in one transaction); the loop, the list and the acknowledgement are the
 * shared StuckSagaMonitor's. What is order-service's own: its stages and SLAs, its query, its event,
 * and the attempts/last error of the order's own failed step in the list.
 */
@Injectable()
export class SagaMonitor extends StuckSagaMonitor {
  constructor(@Inject(DataSource) dataSource: DataSource, queries: StuckSagaQueries, @Inject(SAGA_MONITOR_SETTINGS) settings: SagaMonitorSettings) {
    super(
      dataSource,
      {
        service: 'order-service',
        subject: 'order',
        source: orderSagaSource(queries, settings.slas),
        policy: { escalation: settings.escalation },
        intervalMs: settings.intervalMs,
        slaOf: (stage) => settings.slas[stage as SagaStage] ?? null,
        details: async (manager, rows) => {
          const failures = await queries.ownFailures(manager, rows.map((r) => r.orderId));
          return (r) => {
            const own = failures.get(r.orderId);
            return { attempts: own?.attempts ?? null, lastError: own?.lastError ?? null };
          };
        },
      },
      SagaMonitor.name,
    );
  }
}
