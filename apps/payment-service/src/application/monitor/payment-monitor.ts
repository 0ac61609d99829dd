import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PaymentStuckV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import {
  AcknowledgeResult,
  BackgroundWorker,
  IdempotencyClaim,
  IdempotentResponse,
  StuckPolicy,
  StuckSource,
  StuckView,
  acknowledgeStuck,
  openStuckReports,
  runStuckMonitor,
  stuckView,
} from '@paystate/service-runtime';
import { PAYMENT_STUCK_STAGES, PaymentStuckSlas, PaymentStuckStage, paymentAwaiting, slaOfPaymentStage } from '../../domain/payment-stuck';
import { StuckPaymentQueries, WatchedPayment } from '../../infrastructure/persistence/stuck-payment-queries';

export const PAYMENT_MONITOR_SETTINGS = Symbol('PAYMENT_MONITOR_SETTINGS');
export interface PaymentMonitorSettings {
  slas: PaymentStuckSlas;
  escalation: number;
  intervalMs: number;
}

const SERVICE = 'payment-service';

/**
 * payment-service's part of the saga monitor (SPEC §8, ADR 0017): payments in REQUIRES_REVIEW, or
 * with an operation whose outcome stays unknown, past their SLA are reported once per threshold
 * crossing (a `stuck_saga` row and a PaymentStuck event on payment.events in one transaction);
 * reports of payments that moved on are resolved; `paystate_stuck_sagas{state}` shows the rest.
 */
@Injectable()
export class PaymentMonitor extends BackgroundWorker {
  private readonly logger = new Logger(PaymentMonitor.name);
  private readonly policy: StuckPolicy;
  private readonly source: StuckSource;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly queries: StuckPaymentQueries,
    @Inject(PAYMENT_MONITOR_SETTINGS) private readonly settings: PaymentMonitorSettings,
  ) {
    super('the payment monitor', settings.intervalMs, new Logger(PaymentMonitor.name));
    this.policy = { escalation: settings.escalation };
    this.source = {
      stages: PAYMENT_STUCK_STAGES,
      watched: async (manager, now) => {
        const found = await this.watched(manager, now);
        return found.map((p) => ({
          subjectId: p.paymentId,
          orderId: p.orderId,
          stage: p.stage,
          since: p.since,
          slaMs: slaOfPaymentStage(p.stage, settings.slas),
          awaiting: paymentAwaiting(p.stage, p.operationType),
        }));
      },
      appendEvent: (manager, subject, crossing, eventId, now) =>
        appendToOutbox(manager, [
          {
            contract: PaymentStuckV1,
            id: eventId,
            aggregateId: subject.orderId,
            cause: { correlationId: subject.orderId, causationId: `payment-monitor/${crossing.stage}/${crossing.level}` },
            occurredAt: now,
            payload: {
              orderId: subject.orderId,
              paymentId: subject.subjectId,
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

  private async watched(manager: EntityManager, now: Date): Promise<WatchedPayment[]> {
    const { review, unknown } = this.settings.slas;
    return this.queries.watched(manager, new Date(now.getTime() - review), new Date(now.getTime() - unknown));
  }

  protected async runOnce(): Promise<boolean> {
    const outcome = await runStuckMonitor(this.dataSource, SERVICE, this.source, this.policy);
    for (const r of outcome.reported) this.logger.warn({ paymentId: r.subjectId, stage: r.stage, level: r.level, eventId: r.eventId }, 'payment stuck past its SLA');
    if (outcome.resolved > 0) this.logger.log({ resolved: outcome.resolved }, 'stuck payments moved on');
    return false;
  }

  async list(includeAcknowledged: boolean, now = new Date()): Promise<StuckView[]> {
    const rows = await openStuckReports(this.dataSource.manager, includeAcknowledged);
    const detail = new Map((await this.watched(this.dataSource.manager, now)).map((p) => [`${p.paymentId}/${p.stage}`, p]));
    return rows.map((r) => {
      const d = detail.get(`${r.subjectId}/${r.stage}`);
      return stuckView(SERVICE, r, now, slaOfPaymentStage(r.stage as PaymentStuckStage, this.settings.slas), { attempts: d?.attempts ?? null, lastError: d?.lastError ?? null });
    });
  }

  acknowledge(orderId: string, by: string, note: string, idempotency: { claim: IdempotencyClaim; respond: (result: AcknowledgeResult) => IdempotentResponse }): Promise<IdempotentResponse> {
    return acknowledgeStuck(this.dataSource, orderId, by, note, PAYMENT_STUCK_STAGES, idempotency);
  }
}
