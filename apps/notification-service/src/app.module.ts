import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule, InboxRetentionModule, OpenApiModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { MESSAGE_ID_DOMAIN, RecordCustomerFacts } from './application/customer-facts/record-customer-facts';
import { DELIVERY_SETTINGS } from './application/delivery/delivery-settings';
import { NotificationDelivery } from './application/delivery/notification-delivery';
import { FindNotificationsQuery } from './infrastructure/persistence/notification-queries';
import type { NotificationServiceConfig } from './config/config';
import { NotificationsController } from './infrastructure/http/notifications.controller';
import { MAIL_SETTINGS, Mailer } from './infrastructure/mail/mailer';
import { OrderEventsConsumer } from './infrastructure/messaging/order-events.consumer';
import { PaymentEventsConsumer } from './infrastructure/messaging/payment-events.consumer';
import { notificationDataSourceOptions } from './infrastructure/persistence/data-source';
import { NotificationStore } from './infrastructure/persistence/notification-store';
import { notificationServiceOpenApi } from './infrastructure/http/openapi';

@Module({})
export class NotificationServiceModule {
  static register(config: NotificationServiceConfig): DynamicModule {
    return {
      module: NotificationServiceModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: notificationDataSourceOptions(config) }),
        // prunes the inbox past its retention, raising inbox_horizon (ADR 0018)
        InboxRetentionModule.forConfig(config),
        // every route but /health and /metrics needs a bearer API key
        ApiKeysModule,
        // GET /openapi.json, open like /health
        OpenApiModule.serve(notificationServiceOpenApi),
      ],
      controllers: [NotificationsController, OrderEventsConsumer, PaymentEventsConsumer],
      providers: [
        { provide: MAIL_SETTINGS, useValue: { host: config.SMTP_HOST, port: config.SMTP_PORT, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS } },
        { provide: DELIVERY_SETTINGS, useValue: { leaseMs: config.NOTIFICATION_LEASE_MS, sweepIntervalMs: config.NOTIFICATION_SWEEP_INTERVAL_MS, maxBackoffMs: config.NOTIFICATION_MAX_BACKOFF_MS } },
        { provide: MESSAGE_ID_DOMAIN, useValue: config.MAIL_MESSAGE_ID_DOMAIN },
        NotificationStore,
        Mailer,
        NotificationDelivery,
        RecordCustomerFacts,
        FindNotificationsQuery,
      ],
    };
  }
}
