import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { WebhookEvent, WebhookEventData, WebhookEventType, WebhookMode, deliveryPlan, unixSeconds, webhookBody } from '../../domain/webhook-event';
import type { WebhookDeliveryQueue } from '../../infrastructure/persistence/webhook-delivery-queue';

/**
 * Puts the event of an executed operation on the durable delivery queue, inside the operation's
 * transaction: the event exists if and only if the operation committed.
 */
export async function enqueueWebhook(
  queue: WebhookDeliveryQueue,
  manager: EntityManager,
  input: { type: WebhookEventType; data: WebhookEventData },
  now: Date,
  mode: WebhookMode,
): Promise<WebhookEvent> {
  const event: WebhookEvent = {
    id: `evt_${randomUUID()}`,
    type: input.type,
    created: unixSeconds(now),
    sequence: await queue.nextSequence(manager, input.data.reference),
    data: input.data,
  };
  const payload = webhookBody(event);
  const plan = deliveryPlan(mode);
  for (let copy = 1; copy <= plan.copies; copy++) {
    await queue.insert(manager, { eventId: event.id, copy, eventType: event.type, reference: event.data.reference, sequence: event.sequence, payload, status: plan.status, createdAt: now });
  }
  return event;
}
