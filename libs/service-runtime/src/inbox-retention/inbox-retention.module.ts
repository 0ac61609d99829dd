import { DynamicModule, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InboxRetentionMetrics, InboxRetentionStore } from '@paystate/messaging';
import { BackgroundWorker } from '../background-loop';
import type { InboxRetentionConfig } from '../config';

export const INBOX_RETENTION_OPTIONS = Symbol('INBOX_RETENTION_OPTIONS');

export interface InboxRetentionModuleOptions {
  retentionMs: number;
  intervalSeconds: number;
  batchSize: number;
}

/** Batches per run before the loop yields (it runs again at once when more is left). */
const MAX_BATCHES_PER_RUN = 20;

/**
 * The inbox pruning job (ADR 0018), one per service instance: every interval it deletes the inbox
 * rows older than the retention in small batches, each raising inbox_horizon in its transaction.
 * Several instances may prune at once (the store's batches skip each other's rows).
 */
@Injectable()
export class InboxPruner extends BackgroundWorker {
  private readonly log: Logger;
  private readonly store: InboxRetentionStore;
  private readonly metrics = new InboxRetentionMetrics();

  constructor(@Inject(DataSource) private readonly dataSource: DataSource, @Inject(INBOX_RETENTION_OPTIONS) options: InboxRetentionModuleOptions) {
    const log = new Logger('InboxPruner');
    super('inbox pruning', options.intervalSeconds * 1000, log);
    this.log = log;
    this.store = new InboxRetentionStore(this.dataSource, { retentionMs: options.retentionMs, batchSize: options.batchSize });
  }

  protected async runOnce(): Promise<boolean> {
    const now = new Date();
    const run = await this.store.prune(now, MAX_BATCHES_PER_RUN);
    for (const h of run.handlers.values()) this.metrics.pruned.inc({ handler: h.handler }, h.deleted);
    for (const h of await this.store.horizons()) this.metrics.horizonAge.set({ handler: h.handler }, Math.max(0, (now.getTime() - h.prunedThrough.getTime()) / 1000));
    if (run.deleted > 0) {
      const horizons = Object.fromEntries([...run.handlers.values()].map((h) => [h.handler, h.prunedThrough.toISOString()]));
      this.log.log({ deleted: run.deleted, horizons }, 'pruned the inbox');
    }
    return run.more;
  }
}

/** Import once in a service's root module: runs InboxPruner (none when the interval is 0). */
@Module({})
export class InboxRetentionModule {
  static forRoot(options: InboxRetentionModuleOptions): DynamicModule {
    if (options.intervalSeconds <= 0) return { module: InboxRetentionModule };
    return { module: InboxRetentionModule, providers: [{ provide: INBOX_RETENTION_OPTIONS, useValue: options }, InboxPruner] };
  }

  /** forRoot from a service config built on serviceConfigBase (INBOX_* keys). */
  static forConfig(config: InboxRetentionConfig): DynamicModule {
    return InboxRetentionModule.forRoot({ retentionMs: config.INBOX_RETENTION_MS, intervalSeconds: config.INBOX_PRUNE_INTERVAL_SECONDS, batchSize: config.INBOX_PRUNE_BATCH_SIZE });
  }
}
