import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { IdempotencyClaim, IdempotentResponse, completeIdempotencyKey } from '@paystate/service-runtime';
import { isRejection, requestRefund } from '../../domain/payment';
import { PaymentOperationRecord } from '../../infrastructure/persistence/payment.entity';
import { PaymentStore } from '../../infrastructure/persistence/payment-store';
import { PaymentOperations } from '../operations/payment-operations';

export type RefundResult =
  | { ok: true; operationId: string; amount: number }
  | { ok: false; reason: 'not-found' | 'refused' | 'in-progress'; detail: string };

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
    let started = false;
    const response = await this.dataSource.transaction(async (manager) => {
      const result = await this.decide(manager, paymentId, amount, requestId, now);
      started = result.ok;
      const answer = idempotency.respond(result);
      await completeIdempotencyKey(manager, idempotency.claim, answer);
      return answer;
    });
    if (started) this.operations.kick();
    return response;
  }

  private async decide(manager: EntityManager, paymentId: string, amount: number | undefined, requestId: string, now: Date): Promise<RefundResult> {
    const payment = await this.store.lock(manager, paymentId);
    if (!payment) return { ok: false, reason: 'not-found', detail: `No payment ${paymentId}.` };
    const unfinished = await manager.countBy(PaymentOperationRecord, { paymentId, type: 'REFUND', status: In(['PENDING', 'IN_FLIGHT', 'UNKNOWN']) });
    if (unfinished > 0) return { ok: false, reason: 'in-progress', detail: 'A refund of this payment is still in progress.' };
    const refundAmount = amount ?? payment.amount - payment.refundedAmount;
    const decision = requestRefund(payment, refundAmount, 'OPERATOR');
    if (isRejection(decision) || !decision.operation) return { ok: false, reason: 'refused', detail: isRejection(decision) ? decision.reason : 'nothing to refund' };
    const operationId = await this.store.startOperation(manager, payment, decision.operation, { id: requestId, type: 'operator-refund' }, now);
    return { ok: true, operationId, amount: refundAmount };
  }
}
