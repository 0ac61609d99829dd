import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { derivedId } from '@paystate/messaging';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { runMigrations } from '@paystate/persistence';
import { PaymentOperations } from '../../src/application/operations/payment-operations';
import { InitiatePaymentOnOrderPlaced } from '../../src/application/order-placed/initiate-payment';
import type { PaymentSettings } from '../../src/application/payment-settings';
import { RefundPaymentUseCase } from '../../src/application/refunds/refund-payment';
import { ResolveReviewUseCase } from '../../src/application/review/resolve-review';
import { PaymentSagaSteps } from '../../src/application/saga/saga-steps';
import { ProcessorWebhooks } from '../../src/application/webhooks/processor-webhooks';
import { PaymentStore } from '../../src/infrastructure/persistence/payment-store';
import { ProcessorClient } from '../../src/infrastructure/processor/processor-client';
import { ownPaymentDatabase } from './own-database';

const settings: PaymentSettings = { operationLeaseMs: 60_000, operationDeadlineMs: 600_000, resolverIntervalMs: 60_000 };

/** payment-service's own use cases, wired as the app wires them, on a migrated database of the spec's own. */
export interface PaymentServiceUnderTest {
  dataSource: DataSource;
  store: PaymentStore;
  operations: PaymentOperations;
  webhooks: ProcessorWebhooks;
  initiate: InitiatePaymentOnOrderPlaced;
  saga: PaymentSagaSteps;
  refunds: RefundPaymentUseCase;
  review: ResolveReviewUseCase;
  /** Closes the connections and drops the database. */
  close(): Promise<void>;
}

/**
 * The spec plays the processor, so the processor client is never called, and the background loops
 * stay stopped: every step the spec takes runs to its end before the next one.
 */
export async function paymentServiceUnderTest(label: string): Promise<PaymentServiceUnderTest> {
  const own = await ownPaymentDatabase(label);
  await runMigrations(own.options, () => undefined);
  const dataSource = await new DataSource(own.options).initialize();
  const store = new PaymentStore(settings);
  const operations = new PaymentOperations(dataSource, store, new ProcessorClient({ url: 'http://127.0.0.1:9', apiKey: 'unused', timeoutMs: 1 }), settings);
  const webhooks = new ProcessorWebhooks(dataSource, store, operations, settings);
  await operations.onApplicationShutdown();
  await webhooks.onApplicationShutdown();
  return {
    dataSource,
    store,
    operations,
    webhooks,
    initiate: new InitiatePaymentOnOrderPlaced(store, operations),
    saga: new PaymentSagaSteps(store, operations),
    refunds: new RefundPaymentUseCase(dataSource, store, operations),
    review: new ResolveReviewUseCase(dataSource, store, operations),
    close: async () => {
      await dataSource.destroy();
      await own.drop();
    },
  };
}

/** Runs a handler the way the idempotent consumer does: one transaction, a consumed event, a context. */
export async function consume(dataSource: DataSource, type: string, payload: object, run: (e: ConsumedEvent<never>, ctx: HandlerContext) => Promise<void>): Promise<void> {
  const now = new Date();
  const event = { id: randomUUID(), type, version: 1, topic: 'test', partition: 0, offset: '0', key: null, correlationId: randomUUID(), causationId: undefined, traceparent: undefined, occurredAt: now.toISOString(), payload } as ConsumedEvent<never>;
  await dataSource.transaction((manager) => run(event, { manager, event, now, emit: () => randomUUID(), deriveId: (purpose) => derivedId('payment-service.test', event.id, purpose), afterCommit: () => undefined }));
}

/** An OrderPlaced payload for one line of `total`. */
export const orderPlaced = (orderId: string, total: number) => ({
  orderId,
  customerId: 'cus_1',
  customerEmail: 'a@example.com',
  currency: 'EUR',
  total,
  items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: total }],
  paymentMethod: 'tok_visa_approve',
  placedAt: new Date().toISOString(),
});
