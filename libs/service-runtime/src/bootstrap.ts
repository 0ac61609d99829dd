import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { MessagingLogger } from '@paystate/messaging';
import { connectInboxConsumer } from '@paystate/messaging/nest';
import { ConsumerHealthSource } from './health';
import { ProblemDetailsFilter, ProblemError } from './problem-details';

export interface ServiceStartOptions {
  port: number;
  /** 127.0.0.1 natively; 0.0.0.0 inside a container. */
  host: string;
  /** Largest accepted request body (SPEC §5: over the limit → 413). */
  bodyLimit?: string;
  consumer?: { brokers: string[]; groupId: string; partitionsConsumedConcurrently?: number; redriveIntervalMs?: number };
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A body that is not JSON gets 415 before any handler runs, instead of an empty-body 400. */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (METHODS_WITH_BODY.has(req.method) && hasBody && !req.is('application/json')) {
    next(ProblemError.of(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.'));
    return;
  }
  next();
}

/** Starts a service: HTTP API, problem+json errors, JSON logs, graceful shutdown, and its inbox consumer. */
export async function startService(module: Type<unknown> | DynamicModule, options: ServiceStartOptions): Promise<INestApplication> {
  // rawBody: signed webhooks are verified over the exact bytes received
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, bodyParser: false, rawBody: true });
  app.useLogger(app.get(Logger));
  app.use(requireJson);
  app.useBodyParser('json', { limit: options.bodyLimit ?? '64kb' });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  // Express hands body-parser errors to its own error handler; route them to problem+json too.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    new ProblemDetailsFilter().catch(error, { switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }) } as never);
  });

  if (options.consumer) {
    const pino = await app.resolve(PinoLogger);
    const logger: MessagingLogger = {
      debug: (o, m) => pino.debug(o, m),
      info: (o, m) => pino.info(o, m),
      warn: (o, m) => pino.warn(o, m),
      error: (o, m) => pino.error(o, m),
    };
    const transport = await connectInboxConsumer(app, {
      brokers: options.consumer.brokers,
      clientId: options.consumer.groupId,
      groupId: options.consumer.groupId,
      logger,
      ...(options.consumer.partitionsConsumedConcurrently ? { partitionsConsumedConcurrently: options.consumer.partitionsConsumedConcurrently } : {}),
      ...(options.consumer.redriveIntervalMs !== undefined ? { redriveIntervalMs: options.consumer.redriveIntervalMs } : {}),
    });
    // readiness follows the consumer's group membership from here on (GET /health/ready)
    app.get(ConsumerHealthSource).track(() => transport.consumerHealth);
  }

  await app.listen(options.port, options.host);
  return app;
}
