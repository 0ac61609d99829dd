import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationRecord } from './notification.entity';

export interface NotificationView {
  id: string;
  kind: string;
  recipient: string | null;
  subject: string;
  status: string;
  attempts: number;
  messageId: string;
  sourceEventId: string;
  createdAt: string;
  sentAt: string | null;
  lastError: string | null;
}

@Injectable()
export class FindNotificationsQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async byOrder(orderId: string): Promise<NotificationView[]> {
    const rows = await this.dataSource.manager.find(NotificationRecord, { where: { orderId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map((n) => ({
      id: n.id,
      kind: n.kind,
      recipient: n.recipient,
      subject: n.subject,
      status: n.status,
      attempts: n.attempts,
      messageId: n.messageId,
      sourceEventId: n.sourceEventId,
      createdAt: n.createdAt.toISOString(),
      sentAt: n.sentAt ? n.sentAt.toISOString() : null,
      lastError: n.lastError,
    }));
  }
}
