import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Order, OrderLine, OrderStatus } from '../../domain/order';

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
  @Column('text', { name: 'cancellation_reason', nullable: true }) cancellationReason!: string | null;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'placed_at' }) placedAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;

  static fromDomain(order: Order): OrderRecord {
    return Object.assign(new OrderRecord(), {
      ...order,
      cancellationReason: null,
      version: 1,
      updatedAt: order.placedAt,
    });
  }
}
