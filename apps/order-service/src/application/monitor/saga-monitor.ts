import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SagaStuckV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import {
  BackgroundWorker,
  IdempotencyClaim,
  IdempotentResponse,
  AcknowledgeResult,
  StuckPolicy,
  StuckSource,
  StuckView,
  WatchedSubject,
  acknowledgeStuck,
  openStuckReports,
  runStuckMonitor,
  stuckView,
} from '@paystate/service-runtime';
import { AWAITING, SAGA_STAGES, SagaSlas, SagaStage, sagaStageOf } from '../../domain/saga-stage';
import { StuckSagaQueries } from '../../infrastructure/persistence/stuck-saga-queries';

export const SAGA_MONITOR_SETTINGS = Symbol('SAGA_MONITOR_SETTINGS');
export interface SagaMonitorSettings {
  slas: SagaSlas;
  escalation: number;
  intervalMs: number;
}

const SERVICE = 'order-service';

/**
 * The saga monitor of order-service (SPEC §8, ADR 0017): every interval, the orders that stayed in
 * a stage of their saga past its SLA are reported once per threshold crossing (a `stuck_saga` row
 * and a SagaStuck event on order.events, in one transaction), the reports of orders that moved on
 * are resolved, and `paystate_stuck_sagas{state}` shows what is left unacknowledged. Also answers
 * the operator's list and acknowledgement.
 */
@Injectable()
export class SagaMonitor extends BackgroundWorker {
  private readonly logger = new Logger(SagaMonitor.name);
  private readonly policy: StuckPolicy;
  private readonly source: StuckSource;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly queries: StuckSagaQueries,
    @Inject(SAGA_MONITOR_SETTINGS) private readonly settings: SagaMonitorSettings,
  ) {
    super('the saga monitor', settings.intervalMs, new Logger(SagaMonitor.name));
    this.policy = { escalation: settings.escalation };
    const minSla = Math.min(...Object.values(settings.slas));
    this.source = {
      stages: SAGA_STAGES,
      watched: async (manager, now) => {
        const idle = await queries.idleSince(manager, new Date(now.getTime() - minSla));
        return idle.flatMap((o): WatchedSubject[] => {
          const stage = sagaStageOf(o);
          if (!stage) return [];
          const slaMs = settings.slas[stage];
          if (now.getTime() - o.since.getTime() < slaMs) return [];
          return [{ subjectId: o.id, orderId: o.id, stage, since: o.since, slaMs, awaiting: AWAITING[stage] }];
        });
      },
      appendEvent: (manager, subject, crossing, eventId, now) =>
        appendToOutbox(manager, [
          {
            contract: SagaStuckV1,
            id: eventId,
            aggregateId: subject.orderId,
            cause: { correlationId: subject.orderId, causationId: `saga-monitor/${crossing.stage}/${crossing.level}` },
            occurredAt: now,
            payload: {
              orderId: subject.orderId,
              stage: crossing.stage,
              level: crossing.level,
              thresholdMs: crossing.thresholdMs,
              since: crossing.since.toISOString(),
              detectedAt: now.toISOString(),
              awaiting: subject.awaiting,
            },
          },
        ]),
    };
  }

  protected async runOnce(): Promise<boolean> {
    const outcome = await runStuckMonitor(this.dataSource, SERVICE, this.source, this.policy);
    for (const r of outcome.reported) this.logger.warn({ orderId: r.subjectId, stage: r.stage, level: r.level, eventId: r.eventId }, 'saga stuck past its SLA');
    if (outcome.resolved > 0) this.logger.log({ resolved: outcome.resolved }, 'stuck sagas moved on');
    return false;
  }

  async list(includeAcknowledged: boolean, now = new Date()): Promise<StuckView[]> {
    const rows = await openStuckReports(this.dataSource.manager, includeAcknowledged);
    const failures = await this.queries.ownFailures(this.dataSource.manager, rows.map((r) => r.orderId));
    return rows.map((r) => {
      const own = failures.get(r.orderId);
      return stuckView(SERVICE, r, now, this.settings.slas[r.stage as SagaStage] ?? null, { attempts: own?.attempts ?? null, lastError: own?.lastError ?? null });
    });
  }

  acknowledge(orderId: string, by: string, note: string, idempotency: { claim: IdempotencyClaim; respond: (result: AcknowledgeResult) => IdempotentResponse }): Promise<IdempotentResponse> {
    return acknowledgeStuck(this.dataSource, orderId, by, note, SAGA_STAGES, idempotency);
  }
}
