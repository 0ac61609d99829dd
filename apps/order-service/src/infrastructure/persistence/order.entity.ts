import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OrderCancellationReason } from '@paystate/contracts';
import type { Order, OrderLine, OrderStatus } from '../../domain/order';
import type { OrderFulfilmentStatus, OrderInSaga, OrderPaymentStatus, Shipment } from '../../domain/order-saga';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity({ name: 'orders' })
export class OrderRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') status!: OrderStatus;
  @Column('text', { name: 'customer_id' }) customerId!: string;
  @Column('text', { name: 'customer_email' }) customerEmail!: string;
  @Column('char', { length: 3 }) currency!: string;
  @Column('jsonb') items!: OrderLine[];
  @Column('bigint', { transformer: bigintAsNumber }) total!: number;
  @Column('text', { name: 'payment_method' }) paymentMethod!: string;
  @Column('text', { name: 'payment_status', nullable: true }) paymentStatus!: OrderPaymentStatus | null;
  @Column('text', { name: 'fulfilment_status', nullable: true }) fulfilmentStatus!: OrderFulfilmentStatus | null;
  @Column('text', { name: 'cancellation_reason', nullable: true }) cancellationReason!: OrderCancellationReason | null;
  @Column('text', { name: 'cancellation_detail', nullable: true }) cancellationDetail!: string | null;
  @Column('boolean') refunded!: boolean;
  @Column('jsonb', { nullable: true }) shipment!: Shipment | null;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'placed_at' }) placedAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;

  static fromDomain(order: Order): OrderRecord {
    return Object.assign(new OrderRecord(), {
      ...order,
      paymentStatus: null,
      fulfilmentStatus: null,
      cancellationReason: null,
      cancellationDetail: null,
      refunded: false,
      shipment: null,
      version: 1,
      updatedAt: order.placedAt,
    });
  }

  toDomain(): OrderInSaga {
    return {
      id: this.id,
      status: this.status,
      customerId: this.customerId,
      customerEmail: this.customerEmail,
      currency: this.currency,
      items: this.items,
      total: this.total,
      paymentMethod: this.paymentMethod,
      placedAt: this.placedAt,
      paymentStatus: this.paymentStatus,
      fulfilmentStatus: this.fulfilmentStatus,
      cancellationReason: this.cancellationReason,
      cancellationDetail: this.cancellationDetail,
      refunded: this.refunded,
      shipment: this.shipment,
    };
  }
}
