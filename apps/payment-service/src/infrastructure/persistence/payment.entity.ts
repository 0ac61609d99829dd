import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Payment, PaymentStatus } from '../../domain/payment';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity({ name: 'payments' })
export class PaymentRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('text') status!: PaymentStatus;
  @Column('bigint', { transformer: bigintAsNumber }) amount!: number;
  @Column('char', { length: 3 }) currency!: string;
  @Column('text', { name: 'payment_method' }) paymentMethod!: string;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;

  static fromDomain(payment: Payment): PaymentRecord {
    return Object.assign(new PaymentRecord(), { ...payment, version: 1, updatedAt: payment.createdAt });
  }
}
