import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PaymentRecord } from '../../infrastructure/persistence/payment.entity';

export interface PaymentView {
  id: string;
  orderId: string;
  status: string;
  amount: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
}

const view = (p: PaymentRecord): PaymentView => ({
  id: p.id,
  orderId: p.orderId,
  status: p.status,
  amount: p.amount,
  currency: p.currency,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

@Injectable()
export class FindPaymentsQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async byId(id: string): Promise<PaymentView | undefined> {
    const payment = await this.dataSource.manager.findOneBy(PaymentRecord, { id });
    return payment ? view(payment) : undefined;
  }

  async byOrder(orderId: string): Promise<PaymentView[]> {
    const payments = await this.dataSource.manager.find(PaymentRecord, { where: { orderId }, order: { createdAt: 'ASC' } });
    return payments.map(view);
  }
}
