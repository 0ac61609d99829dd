import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { NotificationKind } from '@paystate/contracts';
import type { NotificationStatus } from '../../domain/notification';

@Entity({ name: 'notification' })
export class NotificationRecord {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('text') kind!: NotificationKind;
  @Column('text') status!: NotificationStatus;
  @Column('uuid', { name: 'source_event_id' }) sourceEventId!: string;
  @Column('text', { nullable: true }) recipient!: string | null;
  @Column('text') subject!: string;
  @Column('text', { name: 'text_body' }) textBody!: string;
  @Column('text', { name: 'html_body' }) htmlBody!: string;
  @Column('text', { name: 'message_id' }) messageId!: string;
  @Column('integer') attempts!: number;
  @Column('timestamptz', { name: 'next_attempt_at' }) nextAttemptAt!: Date;
  @Column('timestamptz', { name: 'locked_until', nullable: true }) lockedUntil!: Date | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('text', { nullable: true }) traceparent!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
}

@Entity({ name: 'order_recipient' })
export class OrderRecipientRecord {
  @PrimaryColumn('uuid', { name: 'order_id' }) orderId!: string;
  @Column('text', { name: 'customer_id' }) customerId!: string;
  @Column('text', { name: 'customer_email' }) customerEmail!: string;
  @Column('uuid', { name: 'source_event_id' }) sourceEventId!: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
}
