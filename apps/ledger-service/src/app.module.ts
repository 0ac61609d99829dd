import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule, InboxRetentionModule, OpenApiModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { OrderJournals } from './application/order-journals';
import { PostCaptureJournal } from './application/payment-captured/post-capture-journal';
import { PostRefundReversal } from './application/payment-refunded/post-refund-reversal';
import { LedgerQueries } from './application/read-ledger/ledger-queries';
import { PostSettlementJournal } from './application/settlement/post-settlement-journal';
import { PostDispatchJournal } from './application/shipment-dispatched/post-dispatch-journal';
import type { LedgerServiceConfig } from './config/config';
import { LedgerController } from './infrastructure/http/ledger.controller';
import { FulfilmentEventsConsumer } from './infrastructure/messaging/fulfilment-events.consumer';
import { PaymentEventsConsumer } from './infrastructure/messaging/payment-events.consumer';
import { ledgerDataSourceOptions } from './infrastructure/persistence/data-source';
import { LedgerStore } from './infrastructure/persistence/ledger-store';
import { ledgerServiceOpenApi } from './infrastructure/http/openapi';

@Module({})
export class LedgerServiceModule {
  static register(config: LedgerServiceConfig): DynamicModule {
    return {
      module: LedgerServiceModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: ledgerDataSourceOptions(config) }),
        // prunes the inbox past its retention, raising inbox_horizon (ADR 0018)
        InboxRetentionModule.forConfig(config),
        // every route but /health and /metrics needs a bearer API key
        ApiKeysModule,
        // GET /openapi.json, open like /health
        OpenApiModule.serve(ledgerServiceOpenApi),
      ],
      controllers: [LedgerController, PaymentEventsConsumer, FulfilmentEventsConsumer],
      providers: [LedgerStore, OrderJournals, PostCaptureJournal, PostDispatchJournal, PostRefundReversal, PostSettlementJournal, LedgerQueries],
    };
  }
}
