import { DataSourceOptions } from 'typeorm';
import { serviceDataSourceOptions } from '@paystate/persistence';
import { MessagingTables1763805600000 } from '../../../migrations/1763805600000-messaging-tables';
import { ApiKeys1763805600001 } from '../../../migrations/1763805600001-api-keys';
import { Notifications1763805600002 } from '../../../migrations/1763805600002-notifications';
import { MessagingTablesV21764600000000 } from '../../../migrations/1764600000000-messaging-tables-v2';
import { NotificationSentReceipts1764600000006 } from '../../../migrations/1764600000006-notification-sent-receipts';
import type { NotificationServiceConfig } from '../../config/config';
import { NotificationRecord, OrderRecipientRecord } from './notification.entity';

export const notificationDataSourceOptions = (config: Pick<NotificationServiceConfig, 'DATABASE_URL' | 'SERVICE_NAME' | 'DATABASE_POOL_SIZE'>): DataSourceOptions =>
  serviceDataSourceOptions({
    url: config.DATABASE_URL,
    applicationName: config.SERVICE_NAME,
    poolSize: config.DATABASE_POOL_SIZE,
    entities: [NotificationRecord, OrderRecipientRecord],
    migrations: [MessagingTables1763805600000, ApiKeys1763805600001, Notifications1763805600002, MessagingTablesV21764600000000, NotificationSentReceipts1764600000006],
  });
