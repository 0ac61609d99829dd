import { applyDecorators, ArgumentsHost, Catch, INestApplication, Logger, RpcExceptionFilter, UseFilters } from '@nestjs/common';
import { CustomTransportStrategy, EventPattern, MessageHandler, Server } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import { DataSource } from 'typeorm';
import { EventContract, findContract } from '@paystate/contracts';
import type { MessagingLogger } from '../logger';
import type { ConsumedEvent, EventHandlerDefinition, HandlerContext } from '../inbox/consumed-event';
import type { ConsumerHealth } from '../inbox/consumer-health';
import { IdempotentConsumer, IdempotentConsumerOptions } from '../inbox/idempotent-consumer';

const PATTERN = /^(?<type>[A-Za-z]+)\.v(?<version>\d+)$/;

/**
 * Nest's default RPC filter replaces every error with `{status, message}`; the consumer needs the
 * original (a PoisonMessageError, a SQLSTATE) to choose between retry and dead letter.
 */
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/** The message pattern of one contract version, e.g. `OrderPlaced.v1`. */
export const eventPatternOf = (contract: EventContract): string => `${contract.type}.v${contract.version}`;

/**
 * Marks a controller method as the handler of one event version. It is called inside the inbox
 * transaction; take the arguments with `@Payload() event: ConsumedEvent<T>, @Ctx() ctx: HandlerContext`.
 */
export const OnEvent = (contract: EventContract): MethodDecorator =>
  applyDecorators(EventPattern(eventPatternOf(contract)), UseFilters(new RethrowRpcErrors()));

export interface InboxTransportOptions extends Omit<IdempotentConsumerOptions, 'kafka' | 'handlers' | 'dataSource' | 'logger'> {
  brokers: string[];
  clientId: string;
  logger: MessagingLogger;
}

/**
 * A custom @nestjs/microservices transport over the framework-free IdempotentConsumer. Chosen over
 * the built-in Kafka transport, which cannot give the guarantees we need: it runs one eachMessage
 * loop for every topic, has no dead letters (a poison message stalls the partition) and commits
 * offsets on its own schedule rather than after our database commit.
 */
export class InboxTransport extends Server implements CustomTransportStrategy {
  private consumer: IdempotentConsumer | undefined;
  private dataSource: DataSource | undefined;

  constructor(private readonly options: InboxTransportOptions) {
    super();
  }

  /** Hands over the service's DataSource once the application context exists. */
  useDataSource(dataSource: DataSource): this {
    this.dataSource = dataSource;
    return this;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      if (!this.dataSource) throw new Error('InboxTransport needs a DataSource: call useDataSource() before listen()');
      const kafka = new Kafka({
        clientId: this.options.clientId,
        brokers: this.options.brokers,
        logLevel: logLevel.WARN,
        retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
      });
      this.consumer = new IdempotentConsumer({ ...this.options, kafka, dataSource: this.dataSource, handlers: this.handlerDefinitions() });
      await this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('InboxTransport has no events to subscribe to');
  }

  /** The consumer's group state for readiness; undefined before listen() and after close(). */
  get consumerHealth(): ConsumerHealth | undefined {
    return this.consumer?.health;
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private handlerDefinitions(): EventHandlerDefinition[] {
    return [...this.getHandlers().entries()].map(([pattern, handler]) => {
      const match = PATTERN.exec(pattern);
      const contract = match?.groups ? findContract(match.groups['type']!, Number(match.groups['version'])) : undefined;
      if (!contract) throw new Error(`@OnEvent pattern "${pattern}" names no contract in @paystate/contracts`);
      return {
        contract,
        name: `${this.options.groupId}.${contract.type}`,
        handle: (event: ConsumedEvent, ctx: HandlerContext) => invoke(handler, event, ctx),
      };
    });
  }
}

async function invoke(handler: MessageHandler, event: ConsumedEvent, ctx: HandlerContext): Promise<void> {
  const result: unknown = await handler(event, ctx);
  if (result instanceof Observable) await lastValueFrom(result, { defaultValue: undefined });
}

/** Attaches the inbox consumer to an HTTP application (a hybrid app) and starts it. */
export async function connectInboxConsumer(app: INestApplication, options: InboxTransportOptions): Promise<InboxTransport> {
  const transport = new InboxTransport(options).useDataSource(app.get(DataSource));
  app.connectMicroservice({ strategy: transport });
  await app.startAllMicroservices();
  new Logger('InboxTransport').log(`consuming as group ${options.groupId}`);
  return transport;
}
