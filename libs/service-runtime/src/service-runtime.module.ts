import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DataSourceOptions } from 'typeorm';
import { DatabaseModule } from './database.module';
import { ConsumerHealthSource, DEFAULT_HEALTH_OPTIONS, HEALTH_OPTIONS, HealthController, HealthOptions } from './health';
import { MetricsController } from './metrics';

export interface ServiceRuntimeOptions {
  serviceName: string;
  logLevel: string;
  database: DataSourceOptions;
  /** Settings of GET /health/live and /health/ready (default: a 2 s database probe). */
  health?: Partial<HealthOptions>;
}

/** What every service has: JSON logs, its database, GET /health/live, /health/ready and GET /metrics. */
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
            // health probes every few seconds would drown the log (readiness changes are logged by the controller)
            autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/health' || (req.url ?? '').startsWith('/health/') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
        DatabaseModule.forRoot(options.database),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [ConsumerHealthSource, { provide: HEALTH_OPTIONS, useValue: { ...DEFAULT_HEALTH_OPTIONS, ...options.health } }],
      exports: [ConsumerHealthSource],
    };
  }
}
