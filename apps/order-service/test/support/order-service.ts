import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { DataSource } from 'typeorm';
import type { EventContract, PayloadOf } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext, emittedEventId, handlerRowId } from '@paystate/messaging';
import { eventPatternOf } from '@paystate/messaging/nest';
import { runMigrations } from '@paystate/persistence';
import { createApiKey, startService } from '@paystate/service-runtime';
import { freePort, queryAsSuperuser, testStack } from '@paystate/testing';
import { OrderServiceModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config';
import { SagaFactsConsumer } from '../../src/infrastructure/messaging/saga-facts.consumer';
import { orderDataSourceOptions } from '../../src/infrastructure/persistence/data-source';

/** Runs SQL as the test stack's superuser, on its maintenance database (CREATE/DROP DATABASE). */
const asSuperuser = async (sql: string): Promise<void> => {
  await queryAsSuperuser('postgres', sql);
};

/** An event the service emitted while handling a delivered fact (the real consumer puts it in the outbox). */
export interface EmittedEvent {
  type: string;
  id: string | undefined;
  payload: unknown;
}

export interface DeliveryOptions {
  /** The event id; a fresh one by default. */
  id?: string;
  /** When the producing service committed the fact. */
  occurredAt?: Date;
  /** The consumer's clock for this attempt (ctx.now). */
  now?: Date;
}

/** order-service's HTTP API and its consumers' handlers, in this process, on a migrated database of the spec's own. */
export interface OrderServiceUnderTest {
  /** The base URL of its HTTP API. */
  url: string;
  /** A bearer key of a fresh client with these scopes. */
  apiKey(scopes: string[]): Promise<string>;
  /**
   * Hands one fact to the handler the service registers for its contract, the way the idempotent
   * consumer does: one transaction, a consumed event and a context. Answers what the handler emitted.
   */
  deliver<C extends EventContract>(contract: C, payload: PayloadOf<C>, options?: DeliveryOptions): Promise<EmittedEvent[]>;
  close(): Promise<void>;
}

type FactHandler = (event: ConsumedEvent, ctx: HandlerContext) => Promise<void>;

/** The consumer adapter's handlers by event pattern (`Type.vN`), read from the same metadata the inbox transport routes by. */
function handlersOf(adapter: object): Map<string, FactHandler> {
  const handlers = new Map<string, FactHandler>();
  const prototype = Object.getPrototypeOf(adapter) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = prototype[name];
    if (typeof method !== 'function') continue;
    const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as string[] | undefined;
    for (const pattern of patterns ?? []) handlers.set(pattern, (method as FactHandler).bind(adapter));
  }
  return handlers;
}

/**
 * Starts order-service's application in this process, as `main.ts` does but without joining a
 * Kafka group (the spec delivers the facts itself), on a fresh database that it migrates first.
 * Nothing is shared with the running services or with other specs.
 */
export async function orderServiceUnderTest(label: string): Promise<OrderServiceUnderTest> {
  const database = `paystate_order_${label}_${randomUUID().slice(0, 8)}`;
  await asSuperuser(`CREATE DATABASE ${database}`);
  const url = new URL(testStack().pg.superuserUrl);
  url.pathname = `/${database}`;
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    DATABASE_POOL_SIZE: '4',
    SERVICE_NAME: `order-${label}-test`,
    PORT: String(port),
    // never contacted: no consumer is started
    KAFKA_BROKERS: '127.0.0.1:9',
    LOG_LEVEL: 'fatal',
    IDEMPOTENCY_PURGE_INTERVAL_SECONDS: '0',
  });
  const options = orderDataSourceOptions(config);
  await runMigrations(options, () => undefined);
  const app: INestApplication = await startService(OrderServiceModule.register(config), { port, host: '127.0.0.1' });
  const dataSource = app.get(DataSource);
  const handlers = handlersOf(app.get(SagaFactsConsumer));

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: async (scopes) => (await createApiKey(dataSource.manager, { clientId: `client-${randomUUID().slice(0, 8)}`, name: 'order int spec', scopes })).key,
    deliver: async (contract, payload, delivery = {}) => {
      const handle = handlers.get(eventPatternOf(contract));
      if (!handle) throw new Error(`order-service registers no handler for ${eventPatternOf(contract)}`);
      const now = delivery.now ?? new Date();
      const orderId = (payload as { orderId?: string }).orderId ?? null;
      const event: ConsumedEvent = {
        id: delivery.id ?? randomUUID(),
        type: contract.type,
        version: contract.version,
        topic: contract.topic,
        partition: 0,
        offset: '0',
        key: orderId,
        correlationId: orderId ?? randomUUID(),
        causationId: randomUUID(),
        traceparent: undefined,
        occurredAt: (delivery.occurredAt ?? now).toISOString(),
        // the consumer validates every payload against its contract before a handler sees it
        payload: contract.schema.parse(payload),
      };
      const emitted: EmittedEvent[] = [];
      // ids as the consumer's context derives them (libs/messaging, "Replay-safe ids"), under the inbox name
      const handlerName = `order-service.${contract.type}`;
      await dataSource.transaction((manager) =>
        handle(event, {
          manager,
          event,
          now,
          emit: (c, p, o) => {
            const id = o?.id ?? emittedEventId(handlerName, event.id, emitted.length);
            emitted.push({ type: c.type, id, payload: p });
            return id;
          },
          deriveId: (purpose) => handlerRowId(handlerName, event.id, purpose),
          afterCommit: () => undefined,
        }),
      );
      return emitted;
    },
    close: async () => {
      await app.close();
      await asSuperuser(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}
