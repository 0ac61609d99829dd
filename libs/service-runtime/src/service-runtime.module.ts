import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DataSourceOptions } from 'typeorm';
import { DatabaseModule } from './database.module';
import { ConsumerReadiness, HealthController } from './health';
import { MetricsController } from './metrics';

export interface ServiceRuntimeOptions {
  serviceName: string;
  logLevel: string;
  database: DataSourceOptions;
}

/** What every service has: JSON logs, its database, GET /health and GET /metrics. */
@Module({})
export class ServiceRuntimeModule {
  static forRoot(options: ServiceRuntimeOptions): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.logLevel,
            base: { service: options.serviceName },
            // health probes every few seconds would drown the log
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
        DatabaseModule.forRoot(options.database),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [ConsumerReadiness],
      exports: [ConsumerReadiness],
    };
  }
}
