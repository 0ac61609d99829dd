import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PaymentStuckV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { StuckSagaMonitor, StuckSource, stuckEventFacts } from '@paystate/service-runtime';
import { PAYMENT_STUCK_STAGES, PaymentStuckSlas, PaymentStuckStage, paymentAwaiting, slaOfPaymentStage } from '../../domain/payment-stuck';
import { StuckPaymentQueries, WatchedPayment } from '../../infrastructure/persistence/stuck-payment-queries';

export const PAYMENT_MONITOR_SETTINGS = Symbol('PAYMENT_MONITOR_SETTINGS');
export interface PaymentMonitorSettings {
  slas: PaymentStuckSlas;
  escalation: number;
  intervalMs: number;
}

/** The payments in REQUIRES_REVIEW, or with an operation of unknown outcome, for at least their SLA. */
const watchedPayments = (queries: StuckPaymentQueries, slas: PaymentStuckSlas, manager: EntityManager, now: Date): Promise<WatchedPayment[]> =>
  queries.watched(manager, new Date(now.getTime() - slas.review), new Date(now.getTime() - slas.unknown));

function paymentStuckSource(queries: StuckPaymentQueries, slas: PaymentStuckSlas): StuckSource {
  return {
    stages: PAYMENT_STUCK_STAGES,
    watched: async (manager, now) =>
      (await watchedPayments(queries, slas, manager, now)).map((p) => ({
        subjectId: p.paymentId,
        orderId: p.orderId,
        stage: p.stage,
        since: p.since,
        slaMs: slaOfPaymentStage(p.stage, slas),
        awaiting: paymentAwaiting(p.stage, p.operationType),
      })),
    appendEvent: (manager, subject, crossing, eventId, now) => {
      const { cause, payload } = stuckEventFacts('payment-monitor', subject, crossing, now);
      return appendToOutbox(manager, [{ contract: PaymentStuckV1, id: eventId, aggregateId: subject.orderId, cause, occurredAt: now, payload: { ...payload, paymentId: subject.subjectId } }]);
    },
  };
}

/**
 * payment-service's part of the saga monitor (SPEC §8, ADR 0017): payments in REQUIRES_REVIEW, or
 * with an operation whose outcome stays unknown, past their SLA are reported once per threshold
 * crossing (a `stuck_saga` row and a PaymentStuck event on payment.events in one transaction); the
 * loop, the list and the acknowledgement are the shared StuckSagaMonitor's. What is its own: its
 * stages and SLAs, its query, its event, and the operation's attempts and last error in the list.
 */
@Injectable()
export class PaymentMonitor extends StuckSagaMonitor {
  constructor(@Inject(DataSource) dataSource: DataSource, queries: StuckPaymentQueries, @Inject(PAYMENT_MONITOR_SETTINGS) settings: PaymentMonitorSettings) {
    super(
      dataSource,
      {
        service: 'payment-service',
        subject: 'payment',
        source: paymentStuckSource(queries, settings.slas),
        policy: { escalation: settings.escalation },
        intervalMs: settings.intervalMs,
        slaOf: (stage) => slaOfPaymentStage(stage as PaymentStuckStage, settings.slas),
        details: async (manager, _rows, now) => {
          const watched = new Map((await watchedPayments(queries, settings.slas, manager, now)).map((p) => [`${p.paymentId}/${p.stage}`, p]));
          return (r) => {
            const d = watched.get(`${r.subjectId}/${r.stage}`);
            return { attempts: d?.attempts ?? null, lastError: d?.lastError ?? null };
          };
        },
      },
      PaymentMonitor.name,
    );
  }
}
