import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { EntityManager, In } from 'typeorm';
import { claimLeased, guardedUpdate, updateCount, updateReturning } from '@paystate/persistence';
import { derivedId } from '@paystate/messaging';
import { Decision, OperationIntent, OperationOutcome, OperationType, Payment, PaymentStatus, canTransition } from '../../domain/payment';
import { PAYMENT_SETTINGS, PaymentSettings } from '../../application/payment-settings';
import { PaymentOperationRecord, PaymentRecord } from './payment.entity';

/** What caused a change: an event id, a webhook id or an operation id, and its kind. */
export interface Cause {
  id: string;
  type: string;
  traceparent?: string | undefined;
  /** A person's reason for what they did (an operator resolving a review); kept on the transition. */
  note?: string | undefined;
}

/** A verified processor webhook as it is stored: the operation it names (when it names one of ours) and its body as received. */
export interface StoredWebhookInput {
  eventId: string;
  type: string;
  operationId: string | null;
  sequence: number | null;
  /** The envelope as JSON text. */
  payload: string;
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

  async find(manager: EntityManager, paymentId: string): Promise<Payment | undefined> {
    const record = await manager.findOneBy(PaymentRecord, { id: paymentId });
    return record?.toDomain();
  }

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
    await this.logTransition(manager, payment, null, cause, now);
  }

  /**
   * Applies a decision: the guarded update (only from the version and status we read, and only
   * along a legal transition), its transition log row, and the operation it starts. A decision with
   * a status always writes, even to the same status: a second partial refund is a change like any
   * other, with its own version and log row. A payment that moved under our feet (another
   * transaction won) is a StaleWriteError: the consumer and the executors retry it. Returns the
   * payment as it is now.
   */
  async apply(manager: EntityManager, payment: Payment, decision: Decision, cause: Cause, now: Date): Promise<Payment> {
    let next = payment;
    if (decision.status) {
      if (!canTransition(payment.status, decision.status)) {
        throw new Error(`illegal payment transition ${payment.status} → ${decision.status} for ${payment.id}`);
      }
      next = { ...payment, ...decision.changes, status: decision.status, version: payment.version + 1 };
      if (next.status !== 'REQUIRES_REVIEW') next.review = null;
      await guardedUpdate(
        manager,
        `UPDATE payments SET status = $1, authorisation_id = $2, capture_id = $3, refunded_amount = $4, review_from_status = $5, review_operation_id = $6,
           version = version + 1, updated_at = $7
         WHERE id = $8 AND version = $9 AND status = $10`,
        [next.status, next.authorisationId, next.captureId, next.refundedAmount, next.review?.from ?? null, next.review?.operationId ?? null, now, payment.id, payment.version, payment.status],
        { aggregate: 'payment', id: payment.id, expected: `changed since version ${payment.version}` },
      );
      await this.logTransition(manager, next, payment.status, cause, now);
    } else if (decision.changes && Object.keys(decision.changes).length > 0) {
      // never drop a change silently: a decision that changes the payment names the status it leaves it in
      throw new Error(`a decision for payment ${payment.id} changes ${Object.keys(decision.changes).join(', ')} without a status`);
    }
    if (decision.facts.some((f) => f.kind === 'requires-review')) {
      requiresReview.inc({ from: payment.status });
      this.logger.error({ paymentId: payment.id, orderId: payment.orderId, from: payment.status, causeId: cause.id, causeType: cause.type }, 'payment requires review');
    }
    if (decision.operation) await this.startOperationOnce(manager, next, decision.operation, cause, now);
    return next;
  }

  /**
   * At most one capture, void or authorisation per payment is under way at a time (and the database
   * says so too): asking for one while it is already under way (a fact seen again under another
   * event id, a failed capture's void while a void is running) is answered by the one in flight.
   */
  private async startOperationOnce(manager: EntityManager, payment: Payment, intent: OperationIntent, cause: Cause, now: Date): Promise<void> {
    if (intent.type !== 'REFUND' && (await this.hasOpenOperation(manager, payment.id, intent.type))) {
      if (intent.id) throw new Error(`a ${intent.type} of payment ${payment.id} is already under way: settle it first`);
      this.logger.warn({ paymentId: payment.id, operationType: intent.type, causeId: cause.id, causeType: cause.type }, 'operation already under way; not started again');
      return;
    }
    await this.startOperation(manager, payment, intent, cause, now);
  }

  /** Persists an operation PENDING, before anything is sent to the processor; its id is the Idempotency-Key. */
  async startOperation(manager: EntityManager, payment: Payment, intent: OperationIntent, cause: Cause, now: Date): Promise<string> {
    // replay-safe (ADR 0014): the operation derives from its payment, its type and what caused it (the
    // consumed event, the processor response, the HTTP request); one cause starts at most one
    // operation of a type for a payment, so a replayed cause re-creates the same operation id
    const id = intent.id ?? derivedId('payment-service.operation', payment.id, intent.type, cause.id);
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
      origin: intent.origin ?? 'processor-call',
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  /**
   * Locks an operation. Lock order, on every path: the payment first, then its operation (a
   * resolution holding the payment while a webhook held the operation deadlocked): so a caller
   * that holds the payment may call this, and one that starts from the operation calls
   * lockOperationAndPayment.
   */
  lockOperation(manager: EntityManager, operationId: string): Promise<PaymentOperationRecord | null> {
    return manager.findOne(PaymentOperationRecord, { where: { id: operationId }, lock: { mode: 'pessimistic_write' } });
  }

  /** An operation and its payment, locked in the one order (payment, then operation); undefined when either is unknown. */
  async lockOperationAndPayment(manager: EntityManager, operationId: string): Promise<{ op: PaymentOperationRecord; payment: Payment } | undefined> {
    // the payment an operation belongs to never changes, so it can be read before any lock is taken
    const owner = await manager.findOne(PaymentOperationRecord, { where: { id: operationId }, select: { paymentId: true } });
    const payment = owner ? await this.lock(manager, owner.paymentId) : undefined;
    const op = payment ? await this.lockOperation(manager, operationId) : null;
    return payment && op ? { op, payment } : undefined;
  }

  async hasOpenOperation(manager: EntityManager, paymentId: string, type: OperationType): Promise<boolean> {
    return (await manager.countBy(PaymentOperationRecord, { paymentId, type, status: In(['PENDING', 'IN_FLIGHT', 'UNKNOWN']) })) > 0;
  }

  /** The operation a processor movement is recorded for, if any (one movement, one operation: a unique index says so too). */
  async operationWithProcessorObject(manager: EntityManager, objectId: string): Promise<string | undefined> {
    const found = await manager.findOne(PaymentOperationRecord, { where: { processorObjectId: objectId, status: 'SUCCEEDED' }, select: { id: true } });
    return found?.id;
  }

  /** The sum of the payment's refunds not settled yet: what the refundable remainder must leave room for. */
  async refundsInFlight(manager: EntityManager, paymentId: string): Promise<number> {
    const [row] = await manager.query<{ sum: string }[]>(
      `SELECT coalesce(sum(amount), 0) AS sum FROM payment_operation WHERE payment_id = $1 AND type = 'REFUND' AND status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN')`,
      [paymentId],
    );
    return Number(row?.sum ?? 0);
  }

  /** An operation gets its outcome: SUCCEEDED with the processor's object id, or FAILED with its code. */
  async settleOperation(manager: EntityManager, operationId: string, outcome: OperationOutcome, now: Date): Promise<void> {
    await manager.update(
      PaymentOperationRecord,
      { id: operationId },
      {
        status: outcome.result === 'succeeded' ? 'SUCCEEDED' : 'FAILED',
        processorObjectId: outcome.result === 'succeeded' ? outcome.objectId : null,
        resultCode: outcome.result === 'failed' ? outcome.code : null,
        lockedUntil: null,
        updatedAt: now,
      },
    );
  }

  /**
   * Claims due operations for this instance: one `FOR UPDATE SKIP LOCKED` statement marks them
   * IN_FLIGHT with a lease, so several instances never work on the same one.
   */
  async claimDue(manager: EntityManager, now: Date, limit: number): Promise<PaymentOperationRecord[]> {
    const rows = await claimLeased<{ id: string }>(manager, {
      table: 'payment_operation',
      due: `status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN') AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1)`,
      orderBy: 'next_attempt_at',
      limit,
      lease: `status = 'IN_FLIGHT', attempts = claimed.attempts + 1, locked_until = $2, updated_at = $1`,
      returning: ['id'],
      params: [now, new Date(now.getTime() + this.settings.operationLeaseMs)],
    });
    if (rows.length === 0) return [];
    return manager.findBy(PaymentOperationRecord, { id: In(rows.map((r) => r.id)) });
  }

  /**
   * The outcome is still unknown: retried at `retryAt` with the same key, or, when null, no more
   * (the deadline passed and a person takes over). False when it was settled meanwhile (or, for a
   * retry, another instance took it over).
   */
  async markUnknown(manager: EntityManager, operationId: string, retryAt: Date | null, lastError: string, now: Date): Promise<boolean> {
    const affected = await updateCount(
      manager,
      `UPDATE payment_operation SET status = 'UNKNOWN', locked_until = NULL, next_attempt_at = $2, last_error = $3, updated_at = $4
       WHERE id = $1 AND status = ANY($5)`,
      [operationId, retryAt ?? 'infinity', lastError, now, retryAt ? ['IN_FLIGHT'] : ['PENDING', 'IN_FLIGHT', 'UNKNOWN']],
    );
    return affected === 1;
  }

  /** A person asks again about an operation whose outcome is unknown: the same key, due now, with a fresh deadline. */
  async rearmOperation(manager: EntityManager, operationId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE payment_operation SET status = 'UNKNOWN', locked_until = NULL, next_attempt_at = $2, deadline_at = $3, updated_at = $2
       WHERE id = $1 AND status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN')`,
      [operationId, now, new Date(now.getTime() + this.settings.operationDeadlineMs)],
    );
  }

  // ---------------------------------------------------------------- processor webhooks, stored as they arrive

  /** Stores a verified webhook (its event id is the key); false when it was already stored (a duplicate delivery). */
  async storeWebhook(manager: EntityManager, webhook: StoredWebhookInput, now: Date): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO processor_webhook (event_id, type, operation_id, sequence, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [webhook.eventId, webhook.type, webhook.operationId, webhook.sequence, webhook.payload, now],
    );
    return rows.length === 1;
  }

  /** The oldest due webhook not applied yet, locked for the transaction (skipping one another instance is applying). */
  async lockNextWebhook(manager: EntityManager, now: Date): Promise<{ eventId: string; payload: unknown } | undefined> {
    const rows = await manager.query<{ event_id: string; payload: unknown }[]>(
      `SELECT event_id, payload FROM processor_webhook WHERE processed_at IS NULL AND next_attempt_at <= $1
       ORDER BY received_at, event_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now],
    );
    const row = rows[0];
    return row ? { eventId: row.event_id, payload: row.payload } : undefined;
  }

  async markWebhookProcessed(manager: EntityManager, eventId: string, outcome: string, ignoredReason: string | null, now: Date): Promise<void> {
    await manager.query('UPDATE processor_webhook SET processed_at = $2, outcome = $3, ignored_reason = $4 WHERE event_id = $1', [eventId, now, outcome, ignoredReason]);
  }

  /** A webhook that failed to apply goes back with its error and an exponential backoff (at most 5 minutes); answers its attempts. */
  async putWebhookBack(manager: EntityManager, eventId: string, error: string): Promise<number | undefined> {
    const [row] = await updateReturning<{ attempts: number }>(
      manager,
      `UPDATE processor_webhook SET attempts = attempts + 1, last_error = $2,
         next_attempt_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts))
       WHERE event_id = $1 RETURNING attempts`,
      [eventId, error],
    );
    return row?.attempts;
  }

  /** One row per version: what the payment became, from what, and why. */
  private async logTransition(manager: EntityManager, payment: Payment, from: PaymentStatus | null, cause: Cause, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO payment_transition (payment_id, from_status, to_status, version, refunded_amount, cause_id, cause_type, note, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [payment.id, from, payment.status, payment.version, payment.refundedAmount, cause.id, cause.type, cause.note ?? null, now],
    );
  }
}
