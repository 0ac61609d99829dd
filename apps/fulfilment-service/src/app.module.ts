import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule, IdempotencyModule, InboxRetentionModule, OpenApiModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { CarrierFaultInjection } from './application/carrier-faults/carrier-faults';
import { DispatchShipmentOnPaymentCaptured } from './application/dispatch-shipment/dispatch-on-payment-captured';
import { FindFulfilment } from './infrastructure/persistence/fulfilment-queries';
import { RememberOrderOnOrderPlaced } from './application/order-placed/remember-order';
import { ReleaseReservation } from './application/release-stock/release-reservation';
import { ReserveStockOnPaymentAuthorised, StockReservations } from './application/reserve-stock/reserve-stock';
import { StockLevels } from './application/stock-levels/stock-levels';
import type { FulfilmentServiceConfig } from './config/config';
import { CarrierFaultsController } from './infrastructure/http/carrier-faults.controller';
import { ShipmentsController } from './infrastructure/http/shipments.controller';
import { StockController } from './infrastructure/http/stock.controller';
import { OrderEventsConsumer } from './infrastructure/messaging/order-events.consumer';
import { PaymentEventsConsumer } from './infrastructure/messaging/payment-events.consumer';
import { fulfilmentDataSourceOptions } from './infrastructure/persistence/data-source';
import { FulfilmentStore } from './infrastructure/persistence/fulfilment-store';
import { StockStore } from './infrastructure/persistence/stock-store';
import { fulfilmentServiceOpenApi } from './infrastructure/http/openapi';

@Module({})
export class FulfilmentServiceModule {
  static register(config: FulfilmentServiceConfig): DynamicModule {
    return {
      module: FulfilmentServiceModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: fulfilmentDataSourceOptions(config) }),
        // prunes the inbox past its retention, raising inbox_horizon (ADR 0018)
        InboxRetentionModule.forConfig(config),
        // every route but /health and /metrics needs a bearer API key
        ApiKeysModule,
        IdempotencyModule.forConfig(config),
        // GET /openapi.json, open like /health
        OpenApiModule.serve(fulfilmentServiceOpenApi),
      ],
      controllers: [StockController, ShipmentsController, CarrierFaultsController, OrderEventsConsumer, PaymentEventsConsumer],
      providers: [
        FulfilmentStore,
        StockStore,
        StockReservations,
        RememberOrderOnOrderPlaced,
        ReserveStockOnPaymentAuthorised,
        DispatchShipmentOnPaymentCaptured,
        ReleaseReservation,
        StockLevels,
        CarrierFaultInjection,
        FindFulfilment,
      ],
    };
  }
}
