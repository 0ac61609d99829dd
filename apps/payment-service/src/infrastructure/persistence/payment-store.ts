import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { Decision, OperationIntent, Payment, canTransition } from '../../domain/payment';
import { PAYMENT_SETTINGS, PaymentSettings } from '../../application/payment-settings';
import { PaymentOperationRecord, PaymentRecord } from './payment.entity';

/** What caused a change: an event id, a webhook id or an operation id, and its kind. */
export interface Cause {
  id: string;
  type: string;
  traceparent?: string | undefined;
}

/** A payment's status moved under our feet (another transaction won): the caller retries. */
export class ConcurrentPaymentUpdate extends Error {
  override readonly name = 'ConcurrentPaymentUpdate';
  // 40001 makes the consumer and the executors treat it like a serialization failure: retry
  readonly code = '40001';
}

/**
 * C5 and unresolved outcomes must reach a person: every payment that enters REQUIRES_REVIEW is
 * counted (alert on any increase) and logged at error level, besides its PaymentRequiresReview event.
 */
const requiresReview =
  (register.getSingleMetric('paystate_payments_requires_review_total') as Counter<'from'> | undefined) ??
  new Counter({ name: 'paystate_payments_requires_review_total', help: 'Payments sent to REQUIRES_REVIEW (alert on any increase)', labelNames: ['from'] });

/** Persistence of payments and their operations, always inside the caller's transaction. */
@Injectable()
export class PaymentStore {
  private readonly logger = new Logger(PaymentStore.name);

  constructor(@Inject(PAYMENT_SETTINGS) private readonly settings: PaymentSettings) {}

  async lockByOrder(manager: EntityManager, orderId: string): Promise<Payment | undefined> {
    const record = await manager.findOne(PaymentRecord, { where: { orderId }, order: { createdAt: 'DESC' }, lock: { mode: 'pessimistic_write' } });
    return record?.toDomain();
  }

  async lock(manager: EntityManager, paymentId: string): Promise<Payment | undefined> {
    const record = await manager.findOne(PaymentRecord, { where: { id: paymentId }, lock: { mode: 'pessimistic_write' } });
    return record?.toDomain();
  }

  async insert(manager: EntityManager, payment: Payment, cause: Cause, now: Date): Promise<void> {
    await manager.insert(PaymentRecord, PaymentRecord.fromDomain(payment, now));
    await this.logTransition(manager, payment.id, null, payment.status, cause, now);
  }

  /**
   * Applies a decision: the guarded status update (only from the version we read, and only along a
   * legal transition: the database refuses anything else), its transition log row, and the
   * operation it starts. Returns the payment as it is now.
   */
  async apply(manager: EntityManager, payment: Payment, decision: Decision, cause: Cause, now: Date): Promise<Payment> {
    let next = payment;
    if (decision.status && decision.status !== payment.status) {
      if (!canTransition(payment.status, decision.status)) {
        throw new Error(`illegal payment transition ${payment.status} → ${decision.status} for ${payment.id}`);
      }
      next = { ...payment, ...decision.changes, status: decision.status, version: payment.version + 1 };
      const [, affected] = await manager.query<[unknown, number]>(
        `UPDATE payments SET status = $1, authorisation_id = $2, capture_id = $3, refunded_amount = $4, version = version + 1, updated_at = $5
         WHERE id = $6 AND version = $7 AND status = $8`,
        [next.status, next.authorisationId, next.captureId, next.refundedAmount, now, payment.id, payment.version, payment.status],
      );
      if (affected !== 1) throw new ConcurrentPaymentUpdate(`payment ${payment.id} changed since version ${payment.version}`);
      await this.logTransition(manager, payment.id, payment.status, next.status, cause, now);
      if (next.status === 'REQUIRES_REVIEW') {
        requiresReview.inc({ from: payment.status });
        this.logger.error({ paymentId: payment.id, orderId: payment.orderId, from: payment.status, causeId: cause.id, causeType: cause.type }, 'payment requires review');
      }
    }
    if (decision.operation) await this.startOperation(manager, next, decision.operation, cause, now);
    return next;
  }

  /** Persists an operation PENDING, before anything is sent to the processor; its id is the Idempotency-Key. */
  async startOperation(manager: EntityManager, payment: Payment, intent: OperationIntent, cause: Cause, now: Date): Promise<string> {
    const id = randomUUID();
    await manager.insert(PaymentOperationRecord, {
      id,
      paymentId: payment.id,
      type: intent.type,
      status: 'PENDING',
      reason: intent.reason,
      amount: intent.amount,
      attempts: 0,
      lockedUntil: null,
      nextAttemptAt: now,
      deadlineAt: new Date(now.getTime() + this.settings.operationDeadlineMs),
      processorObjectId: null,
      resultCode: null,
      lastError: null,
      traceparent: cause.traceparent ?? null,
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  private async logTransition(manager: EntityManager, paymentId: string, from: string | null, to: string, cause: Cause, now: Date): Promise<void> {
    await manager.query(
      'INSERT INTO payment_transition (payment_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [paymentId, from, to, cause.id, cause.type, now],
    );
  }
}
