import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { appendToOutbox, derivedId } from '@paystate/messaging';
import { BackgroundWorker } from '@paystate/service-runtime';
import { OperationOutcome, applyOutcome, operationUnresolved } from '../../domain/payment';
import { ProcessorReport, ReportMismatchReason, reportMismatch } from '../../domain/processor-report';
import type { PaymentOperationRecord } from '../../infrastructure/persistence/payment.entity';
import { Cause, PaymentStore } from '../../infrastructure/persistence/payment-store';
import { ProcessorClient } from '../../infrastructure/processor/processor-client';
import { eventsFor } from '../payment-events';
import { PAYMENT_SETTINGS, PaymentSettings } from '../payment-settings';

/** What became of a reported outcome: applied, a repeat of one already recorded, or ignored (and why). */
export type RecordResult = { outcome: 'applied' } | { outcome: 'already-settled' } | { outcome: 'ignored'; reason: IgnoredReason; detail: string };
/** Why a report changed nothing: not about that operation, about none we know, or not a report we can read. */
export type IgnoredReason = ReportMismatchReason | 'unknown-operation' | 'unknown-type' | 'malformed';

const CLAIM_BATCH = 10;

/**
 * The replay-safe id (ADR 0014) of an event an operation's outcome emits: an operation settles once
 * (a second report finds it settled) and emits each event type at most once per way of settling
 * (`outcome`: its result is known; `unresolved`: its deadline passed), whoever learnt it (our call,
 * the resolver, a webhook, a person). A replay that re-creates the operation (its id derives from
 * its cause) and gets the processor's stored answer emits the same ids, which downstream inboxes
 * deduplicate. The cause is left out on purpose: live the outcome may come by webhook, in a replay
 * by the call's own answer.
 */
const outcomeEventId = (operationId: string, way: 'outcome' | 'unresolved') => (type: string): string => derivedId('payment-service.operation-event', operationId, way, type);
const MAX_BACKOFF_MS = 30_000;

/**
 * Runs processor operations and resolves the ones whose outcome is unknown (SPEC §4, §7 F1/F3).
 *
 * An operation is persisted PENDING before any call. An instance claims due operations with one
 * `FOR UPDATE SKIP LOCKED` statement that marks them IN_FLIGHT with a lease, so several instances
 * never work on the same one; it calls the processor with the operation id as Idempotency-Key and
 * records the outcome in one transaction with the payment transition and its events. A timeout or
 * 5xx leaves the operation UNKNOWN and the payment where it was; it is retried with the same key
 * (the processor replays what it did) until known, or until its deadline sends the payment to
 * REQUIRES_REVIEW. A crash after the call leaves it IN_FLIGHT: when the lease runs out, any
 * instance takes it over the same way.
 */
@Injectable()
export class PaymentOperations extends BackgroundWorker {
  private readonly logger = new Logger(PaymentOperations.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: PaymentStore,
    private readonly processor: ProcessorClient,
    @Inject(PAYMENT_SETTINGS) settings: PaymentSettings,
  ) {
    super('the operation resolver', settings.resolverIntervalMs, new Logger(PaymentOperations.name));
  }

  /** One batch of due operations; true when there may be more (a full batch, or follow-up operations). */
  protected async runOnce(): Promise<boolean> {
    const claimed = await this.claimDue(new Date());
    const recorded = await Promise.all(claimed.map((op) => this.execute(op)));
    return claimed.length === CLAIM_BATCH || recorded.some(Boolean);
  }

  private claimDue(now: Date): Promise<PaymentOperationRecord[]> {
    return this.store.claimDue(this.dataSource.manager, now, CLAIM_BATCH);
  }

  /** Calls the processor for one claimed operation; true when an outcome was recorded. */
  private async execute(op: PaymentOperationRecord): Promise<boolean> {
    const payment = await this.store.find(this.dataSource.manager, op.paymentId);
    if (!payment) return false;
    const result = await this.processor.perform({ operationId: op.id, type: op.type, amount: op.amount }, payment);
    const now = new Date();
    const cause: Cause = { id: op.id, type: 'processor-response', traceparent: op.traceparent ?? undefined };

    if (result.kind !== 'unknown') {
      const outcome: OperationOutcome = result.kind === 'succeeded' ? { result: 'succeeded', objectId: result.objectId } : { result: 'failed', code: result.code, detail: result.detail };
      await this.dataSource.transaction((manager) => this.recordOutcome(manager, op.id, outcome, cause, now));
      return true; // the outcome may have started a follow-up operation (a void after a failed capture)
    }

    if (now >= op.deadlineAt) {
      this.logger.error({ operationId: op.id, paymentId: op.paymentId, type: op.type, reason: result.reason }, 'outcome still unknown at the deadline: payment needs review');
      await this.dataSource.transaction((manager) => this.giveUp(manager, op.id, `deadline passed; last: ${result.reason}`, cause, now));
      return true;
    }

    const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.max(0, op.attempts - 1));
    this.logger.warn({ operationId: op.id, paymentId: op.paymentId, type: op.type, attempt: op.attempts, reason: result.reason, retryInMs: backoff }, 'processor outcome unknown; will retry with the same key');
    await this.store.markUnknown(this.dataSource.manager, op.id, new Date(now.getTime() + backoff), result.reason, now);
    return false;
  }

  /**
   * The outcome is still unknown at the deadline: no more retries, the payment goes to review and a
   * person takes over (a late webhook still settles the operation; so does the person).
   */
  async giveUp(manager: EntityManager, operationId: string, lastError: string, cause: Cause, now: Date): Promise<void> {
    const locked = await this.store.lockOperationAndPayment(manager, operationId);
    if (!locked || !(await this.store.markUnknown(manager, operationId, null, lastError, now))) return;
    const { op, payment: current } = locked;
    const decision = operationUnresolved(current, op);
    const next = await this.store.apply(manager, current, decision, cause, now);
    await this.emit(manager, next.orderId, eventsFor(next, decision.facts, now, op.id), cause, now, outcomeEventId(op.id, 'unresolved'));
  }

  /**
   * The one place an operation gets its outcome, whoever learnt it (our own call, the resolver, a
   * webhook, a person): the operation settles, the payment moves, events are written. A second
   * report of the same outcome finds the operation settled and changes nothing. A processor report
   * (a webhook) must be about this operation; one that is not changes nothing and says why.
   */
  async recordOutcome(manager: EntityManager, operationId: string, outcome: OperationOutcome, cause: Cause, now: Date, report?: ProcessorReport): Promise<RecordResult> {
    const locked = await this.store.lockOperationAndPayment(manager, operationId);
    if (!locked) return { outcome: 'ignored', reason: 'unknown-operation', detail: `no operation ${operationId}` };
    const { op, payment } = locked;
    const mismatch = report ? reportMismatch(report, op, payment) : undefined;
    if (mismatch) return { outcome: 'ignored', ...mismatch };
    if (op.status === 'SUCCEEDED' || op.status === 'FAILED') return { outcome: 'already-settled' };

    await this.store.settleOperation(manager, op.id, outcome, now);
    const decision = applyOutcome(payment, op, outcome);
    const next = await this.store.apply(manager, payment, decision, { ...cause, traceparent: cause.traceparent ?? op.traceparent ?? undefined }, now);
    await this.emit(manager, next.orderId, eventsFor(next, decision.facts, now, op.id), cause, now, outcomeEventId(op.id, 'outcome'));
    return { outcome: 'applied' };
  }

  private async emit(manager: EntityManager, orderId: string, events: ReturnType<typeof eventsFor>, cause: Cause, now: Date, idOf: (type: string) => string): Promise<void> {
    await appendToOutbox(
      manager,
      events.map((e) => ({ ...e, id: idOf(e.contract.type), aggregateId: orderId, cause: { correlationId: orderId, causationId: cause.id, ...(cause.traceparent ? { traceparent: cause.traceparent } : {}) }, occurredAt: now })),
    );
  }
}
