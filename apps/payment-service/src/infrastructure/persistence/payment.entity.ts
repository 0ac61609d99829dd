import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { OperationOrigin, OperationReason, OperationStatus, OperationType, Payment, PaymentStatus } from '../../domain/payment';

const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity({ name: 'payments' })
export class PaymentRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('text') status!: PaymentStatus;
  @Column('bigint', { transformer: bigintAsNumber }) amount!: number;
  @Column('char', { length: 3 }) currency!: string;
  @Column('text', { name: 'payment_method' }) paymentMethod!: string;
  @Column('text', { name: 'authorisation_id', nullable: true }) authorisationId!: string | null;
  @Column('text', { name: 'capture_id', nullable: true }) captureId!: string | null;
  @Column('bigint', { name: 'refunded_amount', transformer: bigintAsNumber }) refundedAmount!: number;
  @Column('integer') version!: number;
  @Column('text', { name: 'review_from_status', nullable: true }) reviewFromStatus!: PaymentStatus | null;
  @Column('uuid', { name: 'review_operation_id', nullable: true }) reviewOperationId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;

  static fromDomain(payment: Payment, now: Date): PaymentRecord {
    const { review, ...columns } = payment;
    return Object.assign(new PaymentRecord(), { ...columns, reviewFromStatus: review?.from ?? null, reviewOperationId: review?.operationId ?? null, createdAt: now, updatedAt: now });
  }

  toDomain(): Payment {
    const { id, orderId, status, amount, currency, paymentMethod, authorisationId, captureId, refundedAmount, version, reviewFromStatus, reviewOperationId } = this;
    const review = reviewFromStatus ? { from: reviewFromStatus, operationId: reviewOperationId } : null;
    return { id, orderId, status, amount, currency, paymentMethod, authorisationId, captureId, refundedAmount, version, review };
  }
}

@Entity({ name: 'payment_operation' })
export class PaymentOperationRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'payment_id' }) paymentId!: string;
  @Column('text') type!: OperationType;
  @Column('text') status!: OperationStatus;
  @Column('text') reason!: OperationReason;
  @Column('bigint', { transformer: bigintAsNumber }) amount!: number;
  @Column('integer') attempts!: number;
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil!: Date | null;
  @Column('timestamptz', { name: 'next_attempt_at' }) nextAttemptAt!: Date;
  @Column('timestamptz', { name: 'deadline_at' }) deadlineAt!: Date;
  @Column('text', { name: 'processor_object_id', nullable: true }) processorObjectId!: string | null;
  @Column('text', { name: 'result_code', nullable: true }) resultCode!: string | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('text', { nullable: true }) traceparent!: string | null;
  /** `processor-call`: sent by us; `operator-record`: a person recorded what the processor's own records show. */
  @Column('text') origin!: OperationOrigin;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
