import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PaymentOperationRecord, PaymentRecord } from './payment.entity';

export interface OperationView {
  id: string;
  type: string;
  status: string;
  reason: string;
  amount: number;
  attempts: number;
  resultCode: string | null;
  /** `processor-call`: sent by us; `operator-record`: recorded by a person from the processor's records. */
  origin: string;
  createdAt: string;
  updatedAt: string;
}

export interface PaymentView {
  id: string;
  orderId: string;
  status: string;
  amount: number;
  refundedAmount: number;
  currency: string;
  authorisationId: string | null;
  captureId: string | null;
  /** While REQUIRES_REVIEW: the state underneath and the operation a person must settle. */
  review: { from: string; operationId: string | null } | null;
  operations: OperationView[];
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class FindPaymentsQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async byId(id: string): Promise<PaymentView | undefined> {
    const payment = await this.dataSource.manager.findOneBy(PaymentRecord, { id });
    return payment ? (await this.withOperations([payment]))[0] : undefined;
  }

  async byOrder(orderId: string): Promise<PaymentView[]> {
    const payments = await this.dataSource.manager.find(PaymentRecord, { where: { orderId }, order: { createdAt: 'ASC' } });
    return this.withOperations(payments);
  }

  private async withOperations(payments: PaymentRecord[]): Promise<PaymentView[]> {
    const views: PaymentView[] = [];
    for (const p of payments) {
      const operations = await this.dataSource.manager.find(PaymentOperationRecord, { where: { paymentId: p.id }, order: { createdAt: 'ASC' } });
      views.push({
        id: p.id,
        orderId: p.orderId,
        status: p.status,
        amount: p.amount,
        refundedAmount: p.refundedAmount,
        currency: p.currency,
        authorisationId: p.authorisationId,
        captureId: p.captureId,
        review: p.reviewFromStatus ? { from: p.reviewFromStatus, operationId: p.reviewOperationId } : null,
        operations: operations.map((o) => ({
          id: o.id,
          type: o.type,
          status: o.status,
          reason: o.reason,
          amount: o.amount,
          attempts: o.attempts,
          resultCode: o.resultCode,
          origin: o.origin,
          createdAt: o.createdAt.toISOString(),
          updatedAt: o.updatedAt.toISOString(),
        })),
        createdAt: p.createdAt.toISOString(),
        updatedAt: p.updatedAt.toISOString(),
      });
    }
    return views;
  }
}
