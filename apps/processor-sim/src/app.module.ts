import { DynamicModule, Module } from '@nestjs/common';
import { OpenApiModule, ServiceRuntimeModule } from '@paystate/service-runtime';
import { AuthoriseUseCase } from './application/authorise/authorise';
import { CaptureUseCase } from './application/capture/capture';
import { FaultInjection } from './application/faults/fault-injection';
import { ProcessorLookups } from './application/lookups/processor-lookups';
import { IdempotentOperations } from './application/operations/idempotent-operation';
import { RefundUseCase } from './application/refund/refund';
import { SettlementReports } from './application/settlements/settlement-report';
import { VoidAuthorisationUseCase } from './application/void/void-authorisation';
import { WebhookDeliveryWorker } from './application/webhooks/webhook-delivery';
import { WebhookModeSetting } from './application/webhooks/webhook-mode';
import { PROCESSOR_CONFIG, ProcessorSimConfig } from './config/config';
import { AdminController } from './infrastructure/http/admin.controller';
import { ApiKeyGuard } from './infrastructure/http/api-key.guard';
import { AuthorisationsController } from './infrastructure/http/authorisations.controller';
import { HeldResponses } from './infrastructure/http/held-responses';
import { LookupsController } from './infrastructure/http/lookups.controller';
import { OperationResponder } from './infrastructure/http/operation-responder';
import { AuthorisationStore } from './infrastructure/persistence/authorisation-store';
import { processorDataSourceOptions } from './infrastructure/persistence/data-source';
import { OperationStore } from './infrastructure/persistence/operation-store';
import { SettlementStore } from './infrastructure/persistence/settlement-store';
import { WebhookDeliveryQueue } from './infrastructure/persistence/webhook-delivery-queue';
import { processorSimOpenApi } from './infrastructure/http/openapi';

@Module({})
export class ProcessorSimModule {
  static register(config: ProcessorSimConfig): DynamicModule {
    return {
      module: ProcessorSimModule,
      imports: [
        ServiceRuntimeModule.forRoot({ serviceName: config.SERVICE_NAME, logLevel: config.LOG_LEVEL, database: processorDataSourceOptions(config) }),
        // GET /openapi.json, open like /health
        OpenApiModule.serve(processorSimOpenApi),
      ],
      // without PROCESSOR_ADMIN_ENABLED the admin routes do not exist: 404, like any unknown path
      controllers: [AuthorisationsController, LookupsController, ...(config.PROCESSOR_ADMIN_ENABLED ? [AdminController] : [])],
      providers: [
        { provide: PROCESSOR_CONFIG, useValue: config },
        ApiKeyGuard,
        OperationStore,
        AuthorisationStore,
        SettlementStore,
        WebhookDeliveryQueue,
        IdempotentOperations,
        AuthoriseUseCase,
        CaptureUseCase,
        VoidAuthorisationUseCase,
        RefundUseCase,
        ProcessorLookups,
        SettlementReports,
        FaultInjection,
        WebhookModeSetting,
        WebhookDeliveryWorker,
        HeldResponses,
        OperationResponder,
      ],
    };
  }
}
