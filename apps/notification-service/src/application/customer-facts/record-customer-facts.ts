import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OrderPlacedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { CustomerFact, addressNotification, messageIdFor, notificationFor } from '../../domain/notification';
import { NotificationStore } from '../../infrastructure/persistence/notification-store';
import { NotificationDelivery } from '../delivery/notification-delivery';

export const MESSAGE_ID_DOMAIN = Symbol('MESSAGE_ID_DOMAIN');

/**
 * The consumed facts, each in its inbox transaction (the inbox already dropped a redelivery):
 * OrderPlaced remembers who to tell and releases what was parked for that order; a customer-facing
 * fact becomes one notification row — PENDING, or parked WAITING_FOR_RECIPIENT when a refund
 * overtook its OrderPlaced. Nothing is sent here: the email goes out after the commit.
 */
@Injectable()
export class RecordCustomerFacts {
  private readonly logger = new Logger(RecordCustomerFacts.name);

  constructor(
    private readonly store: NotificationStore,
    private readonly delivery: NotificationDelivery,
    @Inject(MESSAGE_ID_DOMAIN) private readonly messageIdDomain: string,
  ) {}

  async orderPlaced(event: ConsumedEvent<OrderPlacedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, customerId, customerEmail } = event.payload;
    await this.store.lockOrder(ctx.manager, orderId);
    await this.rememberAndRelease(ctx, { orderId, customerId, email: customerEmail, eventId: event.id, eventType: event.type });
  }

  async customerFact(fact: CustomerFact, event: ConsumedEvent, ctx: HandlerContext): Promise<void> {
    const cause = { id: event.id, type: event.type };
    await this.store.lockOrder(ctx.manager, fact.payload.orderId);
    // the order facts carry the address too: remembering it also releases a refund parked for the order
    if (fact.type !== 'PaymentRefunded') {
      const { orderId, customerId, customerEmail } = fact.payload;
      await this.rememberAndRelease(ctx, { orderId, customerId, email: customerEmail, eventId: event.id, eventType: event.type });
    }
    const request = notificationFor(fact);
    const notification = addressNotification(request, request.recipient ?? (await this.store.recipientOf(ctx.manager, request.orderId)));
    // replay-safe (ADR 0014): the notification, and so its Message-ID, derive from the fact's event.
    // After a restore (ADR 0019) a receipt of the email already sent for this fact wins (it also
    // covers a notification made before the ids were derived): it is created again as the
    // notification it was, and delivery marks it SENT without mailing it.
    const receipt = await this.store.sentReceiptForFact(ctx.manager, { orderId: request.orderId, kind: request.kind, sourceEventId: request.sourceEventId });
    const id = receipt?.notificationId ?? ctx.deriveId('notification');
    const messageId = receipt?.messageId ?? messageIdFor(id, this.messageIdDomain);
    const inserted = await this.store.insert(ctx.manager, { ...notification, id, messageId, traceparent: event.traceparent }, cause, ctx.now);
    const log = { orderId: request.orderId, kind: request.kind, eventId: event.id };
    if (!inserted) {
      this.logger.warn(log, 'this fact was already notified (same fact, another event id): no second email');
      return;
    }
    if (notification.status === 'WAITING_FOR_RECIPIENT') {
      this.logger.log({ ...log, notificationId: id }, 'no OrderPlaced seen for this order yet: notification parked until its recipient is known');
      return;
    }
    ctx.afterCommit(() => this.delivery.kick());
  }

  private async rememberAndRelease(ctx: HandlerContext, r: { orderId: string; customerId: string; email: string; eventId: string; eventType: string }): Promise<void> {
    await this.store.rememberRecipient(ctx.manager, { ...r, now: ctx.now });
    const recipient = (await this.store.recipientOf(ctx.manager, r.orderId)) ?? r.email;
    const released = await this.store.releaseWaiting(ctx.manager, r.orderId, recipient, { id: r.eventId, type: r.eventType }, ctx.now);
    if (released.length === 0) return;
    this.logger.log({ orderId: r.orderId, eventId: r.eventId, released }, 'recipient known: parked notifications released');
    ctx.afterCommit(() => this.delivery.kick());
  }
}
