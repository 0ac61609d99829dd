import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule, IdempotencyModule, InboxRetentionModule, OpenApiModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { FindPaymentsQuery } from './infrastructure/persistence/payment-queries';
import { PAYMENT_MONITOR_SETTINGS, PaymentMonitor } from './application/monitor/payment-monitor';
import { PaymentOperations } from './application/operations/payment-operations';
import { InitiatePaymentOnOrderPlaced } from './application/order-placed/initiate-payment';
import { PAYMENT_SETTINGS } from './application/payment-settings';
import { RefundPaymentUseCase } from './application/refunds/refund-payment';
import { ResolveReviewUseCase } from './application/review/resolve-review';
import { PaymentSagaSteps } from './application/saga/saga-steps';
import { ProcessorWebhooks } from './application/webhooks/processor-webhooks';
import type { PaymentServiceConfig } from './config/config';
import { PaymentsController } from './infrastructure/http/payments.controller';
import { SagasController } from './infrastructure/http/sagas.controller';
import { WEBHOOK_SETTINGS } from './infrastructure/http/webhook-settings';
import { WebhooksController } from './infrastructure/http/webhooks.controller';
import { FulfilmentEventsConsumer } from './infrastructure/messaging/fulfilment-events.consumer';
import { OrderEventsConsumer } from './infrastructure/messaging/order-events.consumer';
import { paymentDataSourceOptions } from './infrastructure/persistence/data-source';
import { PaymentStore } from './infrastructure/persistence/payment-store';
import { StuckPaymentQueries } from './infrastructure/persistence/stuck-payment-queries';
import { PROCESSOR_SETTINGS, ProcessorClient } from './infrastructure/processor/processor-client';
import { paymentServiceOpenApi } from './infrastructure/http/openapi';

@Module({})
export class PaymentServiceModule {
  static register(config: PaymentServiceConfig): DynamicModule {
    return {
      module: PaymentServiceModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: paymentDataSourceOptions(config) }),
        // prunes the inbox past its retention, raising inbox_horizon (ADR 0018)
        InboxRetentionModule.forConfig(config),
        // every route but /health, /metrics and the signed webhook needs a bearer API key
        ApiKeysModule,
        IdempotencyModule.forConfig(config),
        // GET /openapi.json, open like /health
        OpenApiModule.serve(paymentServiceOpenApi),
      ],
      controllers: [SagasController, PaymentsController, WebhooksController, OrderEventsConsumer, FulfilmentEventsConsumer],
      providers: [
        { provide: PAYMENT_SETTINGS, useValue: { operationLeaseMs: config.PAYMENT_OPERATION_LEASE_MS, operationDeadlineMs: config.PAYMENT_OPERATION_DEADLINE_MS, resolverIntervalMs: config.PAYMENT_RESOLVER_INTERVAL_MS } },
        { provide: PROCESSOR_SETTINGS, useValue: { url: config.PROCESSOR_URL, apiKey: config.PROCESSOR_API_KEY, timeoutMs: config.PROCESSOR_TIMEOUT_MS } },
        { provide: WEBHOOK_SETTINGS, useValue: { secrets: config.PROCESSOR_WEBHOOK_SECRETS, toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS } },
        PaymentStore,
        ProcessorClient,
        PaymentOperations,
        ProcessorWebhooks,
        InitiatePaymentOnOrderPlaced,
        PaymentSagaSteps,
        RefundPaymentUseCase,
        ResolveReviewUseCase,
        FindPaymentsQuery,
        StuckPaymentQueries,
        PaymentMonitor,
        {
          provide: PAYMENT_MONITOR_SETTINGS,
          useValue: { slas: { review: config.PAYMENT_SLA_REVIEW_MS, unknown: config.PAYMENT_SLA_UNKNOWN_MS }, escalation: config.PAYMENT_SLA_ESCALATION, intervalMs: config.PAYMENT_MONITOR_INTERVAL_MS },
        },
      ],
    };
  }
}
