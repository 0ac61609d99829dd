import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { isRejection, requestRefund } from '../../domain/payment';
import { PaymentOperationRecord } from '../../infrastructure/persistence/payment.entity';
import { PaymentStore } from '../../infrastructure/persistence/payment-store';
import { PaymentOperations } from '../operations/payment-operations';

export type RefundResult =
  | { ok: true; operationId: string; amount: number }
  | { ok: false; reason: 'not-found' | 'refused' | 'in-progress'; detail: string };

/** An operator refund: a REFUND operation persisted PENDING; the processor is called after the commit. */
@Injectable()
export class RefundPaymentUseCase {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: PaymentStore,
    private readonly operations: PaymentOperations,
  ) {}

  async execute(paymentId: string, amount: number | undefined, requestId: string, now = new Date()): Promise<RefundResult> {
    const result = await this.dataSource.transaction(async (manager): Promise<RefundResult> => {
      const payment = await this.store.lock(manager, paymentId);
      if (!payment) return { ok: false, reason: 'not-found', detail: `No payment ${paymentId}.` };
      const unfinished = await manager.countBy(PaymentOperationRecord, { paymentId, type: 'REFUND', status: In(['PENDING', 'IN_FLIGHT', 'UNKNOWN']) });
      if (unfinished > 0) return { ok: false, reason: 'in-progress', detail: 'A refund of this payment is still in progress.' };
      const refundAmount = amount ?? payment.amount - payment.refundedAmount;
      const decision = requestRefund(payment, refundAmount, 'OPERATOR');
      if (isRejection(decision)) return { ok: false, reason: 'refused', detail: decision.reason };
      const cause = { id: requestId, type: 'operator-refund' };
      await this.store.apply(manager, payment, { ...decision, operation: undefined }, cause, now);
      const operationId = await this.store.startOperation(manager, payment, decision.operation!, cause, now);
      return { ok: true, operationId, amount: refundAmount };
    });
    if (result.ok) this.operations.kick();
    return result;
  }
}
