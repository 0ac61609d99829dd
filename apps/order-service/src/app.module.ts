import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule, IdempotencyModule, InboxRetentionModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { FollowSaga } from './application/follow-saga/follow-saga';
import { GetOrderQuery } from './application/get-order/get-order';
import { PlaceOrderUseCase } from './application/place-order/place-order';
import { GetTimelineQuery } from './application/timeline/timeline';
import type { OrderServiceConfig } from './config/config';
import { OrdersController } from './infrastructure/http/orders.controller';
import { SagaFactsConsumer } from './infrastructure/messaging/saga-facts.consumer';
import { orderDataSourceOptions } from './infrastructure/persistence/data-source';
import { OrderStore } from './infrastructure/persistence/order-store';

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
      ],
      controllers: [OrdersController, SagaFactsConsumer],
      providers: [OrderStore, PlaceOrderUseCase, GetOrderQuery, GetTimelineQuery, FollowSaga],
    };
  }
}
