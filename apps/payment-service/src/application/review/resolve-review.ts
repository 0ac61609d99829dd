import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyClaim, IdempotentResponse, answerIdempotently } from '@paystate/service-runtime';
import { derivedId } from '@paystate/messaging';
import { PaymentStatus, RejectionCode, ReviewResolution, isRejection, resolveReview } from '../../domain/payment';
import { Cause, PaymentStore } from '../../infrastructure/persistence/payment-store';
import { PaymentOperations } from '../operations/payment-operations';

export type ResolveResult =
  | {
      ok: true;
      /** `retried`: the processor is asked again (the outcome follows on the payment); `recorded`: the outcome is on the payment now. */
      effect: 'retried' | 'recorded';
      operationId: string;
      status: PaymentStatus;
    }
  | { ok: false; reason: 'not-found' | RejectionCode; detail: string };

/**
 * A person resolves a payment under review (C5, or an outcome unknown past its deadline): ask the
 * processor again, or record the outcome the processor's own records show. Either way the
 * operation under review gets its outcome through the one path every outcome takes, so the payment
 * leaves review to wherever that outcome leads and the saga goes on from there (a void releases
 * the stock and cancels the order; a refund cancels it and tells the customer). The idempotency
 * key completes in the same transaction, so a retried request never acts twice.
 */
@Injectable()
export class ResolveReviewUseCase {
  private readonly logger = new Logger(ResolveReviewUseCase.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: PaymentStore,
    private readonly operations: PaymentOperations,
  ) {}

  async execute(
    paymentId: string,
    resolution: ReviewResolution,
    cause: Cause,
    idempotency: { claim: IdempotencyClaim; respond: (result: ResolveResult) => IdempotentResponse },
    now = new Date(),
  ): Promise<IdempotentResponse> {
    const { result, response } = await answerIdempotently(this.dataSource, idempotency, (manager) => this.resolve(manager, paymentId, resolution, cause, now));
    if (result.ok) {
      this.logger.warn({ paymentId, action: resolution.action, causeId: cause.id, note: cause.note, effect: result.effect, operationId: result.operationId, status: result.status }, 'payment review resolved by a person');
      this.operations.kick();
    }
    return response;
  }

  /** Resolves inside the caller's transaction. */
  async resolve(manager: EntityManager, paymentId: string, resolution: ReviewResolution, cause: Cause, now: Date): Promise<ResolveResult> {
    const payment = await this.store.lock(manager, paymentId);
    if (!payment) return { ok: false, reason: 'not-found', detail: `No payment ${paymentId}.` };
    if (resolution.action === 'record-outcome' && resolution.outcome.result === 'succeeded') {
      // one movement at the processor is one operation of ours: a second record of it would move the books twice
      const holder = await this.store.operationWithProcessorObject(manager, resolution.outcome.objectId);
      if (holder) return { ok: false, reason: 'already-recorded', detail: `${resolution.outcome.objectId} is already recorded, for operation ${holder} — is it the right id?` };
    }
    const operation = payment.review?.operationId ? await this.store.lockOperation(manager, payment.review.operationId) : null;
    // derived from the request that resolves the review (its cause): the same request, the same operation
    const replacementId = derivedId('payment-service.review-replacement', paymentId, cause.id);
    const plan = resolveReview(payment, operation ?? undefined, resolution, { replacementId, inFlightRefunds: await this.store.refundsInFlight(manager, paymentId) });
    if (isRejection(plan)) return { ok: false, reason: plan.code, detail: plan.reason };

    switch (plan.kind) {
      case 'rearm':
        await this.store.rearmOperation(manager, operation!.id, now);
        return { ok: true, effect: 'retried', operationId: operation!.id, status: payment.status };
      case 'record':
        await this.operations.recordOutcome(manager, operation!.id, plan.outcome, cause, now);
        return { ok: true, effect: 'recorded', operationId: operation!.id, status: (await this.store.lock(manager, paymentId))!.status };
      case 'replace': {
        const next = await this.store.apply(manager, payment, plan.decision, cause, now);
        if (!plan.outcome) return { ok: true, effect: 'retried', operationId: replacementId, status: next.status };
        await this.operations.recordOutcome(manager, replacementId, plan.outcome, cause, now);
        return { ok: true, effect: 'recorded', operationId: replacementId, status: (await this.store.lock(manager, paymentId))!.status };
      }
    }
  }
}
