import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule, IdempotencyModule, InboxRetentionModule, OpenApiModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { FollowSaga } from './application/follow-saga/follow-saga';
import { GetOrderQuery } from './application/get-order/get-order';
import { PlaceOrderUseCase } from './application/place-order/place-order';
import { SAGA_MONITOR_SETTINGS, SagaMonitor } from './application/monitor/saga-monitor';
import { GetTimelineQuery } from './application/timeline/timeline';
import type { OrderServiceConfig } from './config/config';
import { orderServiceOpenApi } from './infrastructure/http/openapi';
import { OrdersController } from './infrastructure/http/orders.controller';
import { SagasController } from './infrastructure/http/sagas.controller';
import { SagaFactsConsumer } from './infrastructure/messaging/saga-facts.consumer';
import { orderDataSourceOptions } from './infrastructure/persistence/data-source';
import { OrderStore } from './infrastructure/persistence/order-store';
import { StuckSagaQueries } from './infrastructure/persistence/stuck-saga-queries';

@Module({})
export class OrderServiceModule {
  static register(config: OrderServiceConfig): DynamicModule {
    return {
      module: OrderServiceModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: orderDataSourceOptions(config) }),
        // prunes the inbox past its retention, raising inbox_horizon (ADR 0018)
        InboxRetentionModule.forConfig(config),
        // every route but /health and /metrics needs a bearer API key
        ApiKeysModule,
        IdempotencyModule.forConfig(config),
        // GET /openapi.json, open like /health
        OpenApiModule.serve(orderServiceOpenApi),
      ],
      controllers: [OrdersController, SagasController, SagaFactsConsumer],
      providers: [
        OrderStore,
        PlaceOrderUseCase,
        GetOrderQuery,
        GetTimelineQuery,
        FollowSaga,
        StuckSagaQueries,
        SagaMonitor,
        {
          provide: SAGA_MONITOR_SETTINGS,
          useValue: {
            slas: {
              AWAITING_AUTHORISATION: config.SAGA_SLA_PENDING_MS,
              AWAITING_STOCK: config.SAGA_SLA_AUTHORISED_MS,
              AWAITING_CAPTURE: config.SAGA_SLA_AUTHORISED_MS,
              AWAITING_VOID: config.SAGA_SLA_COMPENSATION_MS,
              AWAITING_SHIPMENT: config.SAGA_SLA_CONFIRMED_MS,
              AWAITING_REFUND: config.SAGA_SLA_COMPENSATION_MS,
              PAYMENT_IN_REVIEW: config.SAGA_SLA_REVIEW_MS,
            },
            escalation: config.SAGA_SLA_ESCALATION,
            intervalMs: config.SAGA_MONITOR_INTERVAL_MS,
          },
        },
      ],
    };
  }
}
