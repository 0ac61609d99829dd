import { Counter, Gauge, Histogram, Registry, register as defaultRegistry } from 'prom-client';

export type ConsumeOutcome = 'processed' | 'duplicate' | 'ignored' | 'dead-lettered';

/** Consumer metrics (SPEC §8): consumed, deduplicated, dead-lettered, retried, handler latency. */
export class ConsumerMetrics {
  readonly consumed: Counter<'group' | 'topic' | 'type' | 'outcome'>;
  readonly retries: Counter<'group' | 'handler' | 'transient'>;
  readonly handlerSeconds: Histogram<'group' | 'handler'>;

  constructor(registry: Registry = defaultRegistry) {
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    this.consumed =
      existing('paystate_messages_consumed_total') ??
      new Counter({ name: 'paystate_messages_consumed_total', help: 'Kafka records handled, by outcome', labelNames: ['group', 'topic', 'type', 'outcome'], registers: [registry] });
    this.retries =
      existing('paystate_message_retries_total') ??
      new Counter({ name: 'paystate_message_retries_total', help: 'Handler attempts that failed and were retried', labelNames: ['group', 'handler', 'transient'], registers: [registry] });
    this.handlerSeconds =
      existing('paystate_handler_duration_seconds') ??
      new Histogram({
        name: 'paystate_handler_duration_seconds',
        help: 'Time from receiving a record to committing its transaction',
        labelNames: ['group', 'handler'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      });
  }
}

/** Inbox retention metrics (ADR 0018): rows pruned, and how far back each handler's inbox still remembers. */
export class InboxRetentionMetrics {
  readonly pruned: Counter<'handler'>;
  readonly horizonAge: Gauge<'handler'>;

  constructor(registry: Registry = defaultRegistry) {
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    this.pruned =
      existing('paystate_inbox_rows_pruned_total') ??
      new Counter({ name: 'paystate_inbox_rows_pruned_total', help: 'Inbox rows deleted by the retention job, by handler', labelNames: ['handler'], registers: [registry] });
    this.horizonAge =
      existing('paystate_inbox_horizon_age_seconds') ??
      new Gauge({
        name: 'paystate_inbox_horizon_age_seconds',
        help: "Age of each handler's inbox horizon (inbox_horizon.pruned_through): a replay must not reach records older than this",
        labelNames: ['handler'],
        registers: [registry],
      });
  }
}
