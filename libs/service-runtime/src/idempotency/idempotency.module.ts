import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { IdempotencyConfig } from '../config';
import { DEFAULT_IDEMPOTENCY_OPTIONS, IDEMPOTENCY_OPTIONS, IdempotencyOptions, IdempotencyStore } from './idempotency.store';

/**
 * Deletes expired keys every `purgeIntervalSeconds`. Expiry only bounds the table: it is never what
 * prevents a double charge (payment-service allows one live payment per order).
 */
@Injectable()
export class IdempotencyKeyPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencyKeyPurge');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.purgeIntervalSeconds <= 0) return;
    this.timer = setInterval(() => this.tick(), this.options.purgeIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.store
      .purgeExpired()
      .then((n) => {
        if (n > 0) this.logger.log({ deleted: n }, 'purged expired idempotency keys');
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'idempotency key purge failed; retried at the next interval'))
      .finally(() => {
        this.running = undefined;
      });
  }
}

/** Import once in a service's root module (after ServiceRuntimeModule) to use @Idempotent() routes. */
@Module({})
export class IdempotencyModule {
  static forRoot(options: Partial<IdempotencyOptions> = {}): DynamicModule {
    const resolved: IdempotencyOptions = { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options };
    if (resolved.ttlHours < 24) throw new Error(`idempotency keys must be kept at least 24 h (SPEC §5), not ${resolved.ttlHours} h`);
    return {
      module: IdempotencyModule,
      global: true,
      providers: [{ provide: IDEMPOTENCY_OPTIONS, useValue: resolved }, IdempotencyStore, IdempotencyKeyPurge],
      // @Idempotent() instantiates IdempotencyInterceptor in the controller's module, which needs the store
      exports: [IdempotencyStore],
    };
  }

  /** forRoot from a service config that spreads `idempotencyConfig` (IDEMPOTENCY_* keys). */
  static forConfig(config: IdempotencyConfig): DynamicModule {
    return IdempotencyModule.forRoot({
      ttlHours: config.IDEMPOTENCY_TTL_HOURS,
      leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
      purgeIntervalSeconds: config.IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
    });
  }
}
