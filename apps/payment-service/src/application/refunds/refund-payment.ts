import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyClaim, IdempotentResponse, answerIdempotently } from '@paystate/service-runtime';
import { RejectionCode, isRejection, refundableRemainder, requestRefund } from '../../domain/payment';
import { Cause, PaymentStore } from '../../infrastructure/persistence/payment-store';
import { PaymentOperations } from '../operations/payment-operations';

export type RefundResult =
  | { ok: true; operationId: string; amount: number }
  | { ok: false; reason: 'not-found' | RejectionCode; detail: string };

/**
 * An operator refund: a REFUND operation persisted PENDING (the processor is called after the
 * commit). The idempotency key completes in the same transaction, with the answer the client gets,
 * so a retry replays it and can never start a second refund.
 */
@Injectable()
export class RefundPaymentUseCase {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: PaymentStore,
    private readonly operations: PaymentOperations,
  ) {}

  async execute(
    paymentId: string,
    amount: number | undefined,
    requestId: string,
    idempotency: { claim: IdempotencyClaim; respond: (result: RefundResult) => IdempotentResponse },
    now = new Date(),
  ): Promise<IdempotentResponse> {
    const { result, response } = await answerIdempotently(this.dataSource, idempotency, (manager) =>
      this.startRefund(manager, paymentId, amount, { id: requestId, type: 'operator-refund' }, now),
    );
    if (result.ok) this.operations.kick();
    return response;
  }

  /** Starts the refund inside the caller's transaction (the API's, with its idempotency key). */
  async startRefund(manager: EntityManager, paymentId: string, amount: number | undefined, cause: Cause, now: Date): Promise<RefundResult> {
    const payment = await this.store.lock(manager, paymentId);
    if (!payment) return { ok: false, reason: 'not-found', detail: `No payment ${paymentId}.` };
    // refunds in flight count against what is left, so two close together never refund more than was captured
    const inFlight = await this.store.refundsInFlight(manager, paymentId);
    const refundAmount = amount ?? refundableRemainder(payment, inFlight);
    const decision = requestRefund(payment, refundAmount, 'OPERATOR', inFlight);
    if (isRejection(decision)) return { ok: false, reason: decision.code, detail: decision.reason };
    if (!decision.operation) return { ok: false, reason: 'invalid-state', detail: 'nothing to refund' };
    const operationId = await this.store.startOperation(manager, payment, decision.operation, cause, now);
    return { ok: true, operationId, amount: refundAmount };
  }
}
