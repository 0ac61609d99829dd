/**
 * Webhook events: one per executed operation, numbered per reference so a receiver can tell an
 * older event from a newer one, and delivered at least once with exponential backoff.
 */
export type WebhookEventType =
  | 'authorisation.succeeded'
  | 'authorisation.declined'
  | 'capture.succeeded'
  | 'capture.failed'
  | 'void.succeeded'
  | 'void.failed'
  | 'refund.succeeded'
  | 'refund.failed';

export interface WebhookEventData {
  /** The Idempotency-Key of the call that produced the event. */
  operationId: string;
  reference: string;
  authorisationId: string;
  /** The authorisation, capture, void or refund the event is about. */
  objectId: string;
  amount: number;
  currency: string;
  declineCode?: string;
}

export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  /** Unix seconds of the operation. */
  created: number;
  /** 1, 2, 3, … per reference, in the order the operations committed. */
  sequence: number;
  data: WebhookEventData;
}

export const unixSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

/** The raw body sent (and signed): fixed key order, so the stored bytes are what every attempt sends. */
export function webhookBody(event: WebhookEvent): string {
  const { operationId, reference, authorisationId, objectId, amount, currency, declineCode } = event.data;
  return JSON.stringify({
    id: event.id,
    type: event.type,
    created: event.created,
    sequence: event.sequence,
    data: { operationId, reference, authorisationId, objectId, amount, currency, ...(declineCode !== undefined ? { declineCode } : {}) },
  });
}

/** Delivery modes a test can switch on (both off by default). */
export interface WebhookMode {
  /** Every event is delivered twice (two deliveries of the same event id). */
  duplicate: boolean;
  /** Events are held per reference until it has been quiet for `holdMs`, then sent newest first. */
  outOfOrder: boolean;
  holdMs: number;
}

export const NORMAL_DELIVERY: WebhookMode = { duplicate: false, outOfOrder: false, holdMs: 1000 };

export type DeliveryStatus = 'held' | 'pending' | 'delivered' | 'failed';

/** How an event enters the delivery queue under a mode: how many copies, and held or due now. */
export function deliveryPlan(mode: WebhookMode): { copies: number; status: DeliveryStatus } {
  return { copies: mode.duplicate ? 2 : 1, status: mode.outOfOrder ? 'held' : 'pending' };
}

export const MAX_DELIVERY_ATTEMPTS = 8;

/**
 * After a failed attempt (`attempts` made so far, this one included): wait base × 2^(attempts−1)
 * and try again, or give up once MAX_DELIVERY_ATTEMPTS have failed.
 */
export function afterFailedAttempt(attempts: number, baseMs: number): { retryInMs: number } | 'give-up' {
  if (attempts >= MAX_DELIVERY_ATTEMPTS) return 'give-up';
  return { retryInMs: baseMs * 2 ** Math.max(0, attempts - 1) };
}

/** A receiver acknowledges with any 2xx; everything else (3xx included) is a failed attempt. */
export const isAcknowledged = (status: number): boolean => status >= 200 && status < 300;
