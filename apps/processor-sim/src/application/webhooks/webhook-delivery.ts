import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PROCESSOR_CONFIG, ProcessorSimConfig } from '../../config/config';
import { afterFailedAttempt, isAcknowledged } from '../../domain/webhook-event';
import { SIGNATURE_HEADER, signWebhook } from '../../domain/webhook-signature';
import { DeliveryRecord, WebhookDeliveryQueue } from '../../infrastructure/persistence/webhook-delivery-queue';
import { WebhookModeSetting } from './webhook-mode';

const POLL_INTERVAL_MS = 200;
const BATCH = 10;
/** Per attempt (Standard Webhooks suggests 15–30 s; a simulator's receivers are local). */
const REQUEST_TIMEOUT_MS = 5_000;
/** How long a claimed delivery is ours: longer than a whole batch takes; after a crash mid-send it is due again. */
const LEASE_MS = 2 * BATCH * REQUEST_TIMEOUT_MS;

/**
 * Delivers webhooks from the durable queue (webhook_deliveries): claims due deliveries with
 * FOR UPDATE SKIP LOCKED (several instances never send the same delivery at once), sends each
 * signed with the current time, and settles it: delivered on a 2xx, otherwise retried with
 * exponential backoff until MAX_DELIVERY_ATTEMPTS, then failed. No transaction is held while sending.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDelivery');
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PROCESSOR_CONFIG) private readonly config: ProcessorSimConfig,
    private readonly mode: WebhookModeSetting,
    private readonly queue: WebhookDeliveryQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = (await this.pass()) > 0;
      } catch (error) {
        if (this.running) this.logger.warn({ err: error }, 'webhook delivery pass failed; retrying');
      }
      if (!worked && this.running) await sleep(POLL_INTERVAL_MS, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }

  /** One round: held events whose reference went quiet (newest first), then everything due. */
  async pass(): Promise<number> {
    const now = new Date();
    const held = await this.queue.claimHeld(this.dataSource.manager, now, this.mode.current.holdMs, LEASE_MS);
    const due = await this.queue.claimDue(this.dataSource.manager, now, LEASE_MS, BATCH);
    // sequentially, in the claimed order: that order is what the out-of-order mode is about
    for (const delivery of [...held, ...due]) {
      if (!this.running) break;
      await this.attempt(delivery);
    }
    return held.length + due.length;
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    const attempts = delivery.attempts + 1;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const t = Math.floor(Date.now() / 1000);
      const response = await fetch(this.config.PROCESSOR_WEBHOOK_URL, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'paystate-processor-sim',
          [SIGNATURE_HEADER]: signWebhook(this.config.PROCESSOR_WEBHOOK_SECRETS, t, delivery.payload),
        },
        body: delivery.payload,
        signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), this.stop.signal]),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      // fetch hides the network error (ECONNREFUSED, a reset…) in its cause
      const cause = e instanceof Error && e.cause instanceof Error ? ` (${(e.cause as Error & { code?: string }).code ?? e.cause.message})` : '';
      error = e instanceof Error ? `${e.name}: ${e.message}${cause}` : String(e);
    }
    const now = new Date();
    if (status !== null && isAcknowledged(status)) {
      await this.queue.settle(this.dataSource.manager, delivery.id, { status: 'delivered', attempts, nextAttemptAt: now, lastStatus: status, lastError: null, deliveredAt: now });
      return;
    }
    const next = afterFailedAttempt(attempts, this.config.PROCESSOR_WEBHOOK_RETRY_BASE_MS);
    if (next === 'give-up') {
      this.logger.warn({ eventId: delivery.eventId, attempts, status, error }, 'webhook delivery failed for good');
      await this.queue.settle(this.dataSource.manager, delivery.id, { status: 'failed', attempts, nextAttemptAt: now, lastStatus: status, lastError: error, deliveredAt: null });
      return;
    }
    await this.queue.settle(this.dataSource.manager, delivery.id, {
      status: 'pending',
      attempts,
      nextAttemptAt: new Date(now.getTime() + next.retryInMs),
      lastStatus: status,
      lastError: error,
      deliveredAt: null,
    });
  }
}
