import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderRecord } from '../../infrastructure/persistence/order.entity';

export interface OrderView {
  id: string;
  status: string;
  cancellationReason: string | null;
  /** The payment's status once the saga reports it back (whole-saga issue); null until then. */
  paymentStatus: string | null;
  customerId: string;
  currency: string;
  total: number;
  items: { sku: string; quantity: number; unitPrice: number }[];
  placedAt: string;
  updatedAt: string;
}

@Injectable()
export class GetOrderQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async byId(id: string): Promise<OrderView | undefined> {
    const order = await this.dataSource.manager.findOneBy(OrderRecord, { id });
    if (!order) return undefined;
    return {
      id: order.id,
      status: order.status,
      cancellationReason: order.cancellationReason,
      paymentStatus: null,
      customerId: order.customerId,
      currency: order.currency,
      total: order.total,
      items: order.items,
      placedAt: order.placedAt.toISOString(),
      updatedAt: order.updatedAt.toISOString(),
    };
  }
}
