import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderStore } from '../../infrastructure/persistence/order-store';

export interface OrderView {
  id: string;
  status: string;
  cancellationReason: string | null;
  cancellationDetail: string | null;
  /** true when a cancelled order's captured money was refunded. */
  refunded: boolean;
  /** The payment's status as its facts reported it; null until the first one arrives. */
  paymentStatus: string | null;
  fulfilmentStatus: string | null;
  shipment: { id: string; carrier: string; trackingNumber: string } | null;
  customerId: string;
  currency: string;
  total: number;
  items: { sku: string; quantity: number; unitPrice: number }[];
  placedAt: string;
  updatedAt: string;
}

@Injectable()
export class GetOrderQuery {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: OrderStore,
  ) {}

  async byId(id: string): Promise<OrderView | undefined> {
    const found = await this.store.find(this.dataSource.manager, id);
    if (!found) return undefined;
    const { order, updatedAt } = found;
    return {
      id: order.id,
      status: order.status,
      cancellationReason: order.cancellationReason,
      cancellationDetail: order.cancellationDetail,
      refunded: order.refunded,
      paymentStatus: order.paymentStatus,
      fulfilmentStatus: order.fulfilmentStatus,
      shipment: order.shipment,
      customerId: order.customerId,
      currency: order.currency,
      total: order.total,
      items: order.items,
      placedAt: order.placedAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    };
  }
}
