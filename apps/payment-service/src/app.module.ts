import { DynamicModule, Module } from '@nestjs/common';
import { ServiceRuntimeModule } from '@paystate/service-runtime';
import { FindPaymentsQuery } from './application/find-payments/find-payments';
import { InitiatePaymentOnOrderPlaced } from './application/order-placed/initiate-payment';
import type { PaymentServiceConfig } from './config/config';
import { PaymentsController } from './infrastructure/http/payments.controller';
import { OrderEventsConsumer } from './infrastructure/messaging/order-events.consumer';
import { paymentDataSourceOptions } from './infrastructure/persistence/data-source';

@Module({})
export class PaymentServiceModule {
  static register(config: PaymentServiceConfig): DynamicModule {
    return {
      module: PaymentServiceModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: paymentDataSourceOptions(config) })],
      controllers: [PaymentsController, OrderEventsConsumer],
      providers: [FindPaymentsQuery, InitiatePaymentOnOrderPlaced],
    };
  }
}
