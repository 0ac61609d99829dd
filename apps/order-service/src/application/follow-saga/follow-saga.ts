import { Injectable, Logger } from '@nestjs/common';
import { EventContract, OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1, PayloadOf } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext, PoisonMessageError } from '@paystate/messaging';
import { OrderFact, OrderInSaga, OrderLifecycleEvent, applyFact } from '../../domain/order-saga';
import { OrderStore, StoredOrder } from '../../infrastructure/persistence/order-store';

/**
 * Applies the saga's facts to orders, inside the consumer's inbox transaction: the fact goes on the
 * order's timeline, the order moves by the domain's rules with a guarded update (an order that
 * moved under our feet is a StaleWriteError: the consumer retries) and a transition row per step, and the order's own events (OrderConfirmed, OrderCompleted, OrderCancelled) go to
 * the outbox, all in one commit.
 */
@Injectable()
export class FollowSaga {
  private readonly logger = new Logger(FollowSaga.name);

  constructor(private readonly store: OrderStore) {}

  /** A fact that moves or annotates the order. */
  async follow(event: ConsumedEvent, ctx: HandlerContext, orderId: string, fact: OrderFact): Promise<void> {
    const current = await this.lockAndRecord(event, ctx, orderId);

    const before = current.order;
    const outcome = applyFact(before, fact);
    if (outcome.ignored) {
      this.logger.log({ orderId, eventId: event.id, eventType: event.type, status: before.status, why: outcome.ignored }, 'fact recorded; the order has moved past it');
    }
    if (!changed(before, outcome.order)) return;

    await this.store.save(ctx.manager, current, outcome.order, ctx.now);
    await this.store.logTransitions(ctx.manager, orderId, outcome.transitions, { id: event.id, type: event.type }, ctx.now);
    for (const e of outcome.emit) await this.emit(ctx, outcome.order, e);
  }

  /** A fact that only belongs on the timeline (ledger journals, notifications sent). */
  async record(event: ConsumedEvent, ctx: HandlerContext, orderId: string): Promise<void> {
    await this.lockAndRecord(event, ctx, orderId);
  }

  /** Locks the order (facts about one order apply one at a time) and puts the fact on its timeline. */
  private async lockAndRecord(event: ConsumedEvent, ctx: HandlerContext, orderId: string): Promise<StoredOrder> {
    const order = await this.store.lock(ctx.manager, orderId);
    // order-service creates every order before any fact about it can exist: a fact about an unknown
    // order is a broken invariant (another environment's data, a restored database) for a person to see
    if (!order) throw new PoisonMessageError(`${event.type} ${event.id} is about order ${orderId}, which order-service does not know`);
    const { id: eventId, topic, type, version, causationId, occurredAt } = event;
    await this.store.recordOnTimeline(ctx.manager, { orderId, eventId, topic, type, version, causationId, occurredAt }, ctx.now);
    return order;
  }

  private async emit(ctx: HandlerContext, order: OrderInSaga, event: OrderLifecycleEvent): Promise<void> {
    const customer = { orderId: order.id, customerId: order.customerId, customerEmail: order.customerEmail };
    const at = ctx.now.toISOString();
    switch (event.type) {
      case 'OrderConfirmed':
        return this.emitOwn(ctx, order.id, OrderConfirmedV1, { ...customer, total: order.total, currency: order.currency, confirmedAt: at });
      case 'OrderCompleted': {
        const shipment = order.shipment;
        if (!shipment) throw new Error(`order ${order.id} completed without a shipment`);
        return this.emitOwn(ctx, order.id, OrderCompletedV1, { ...customer, shipmentId: shipment.id, carrier: shipment.carrier, trackingNumber: shipment.trackingNumber, completedAt: at });
      }
      case 'OrderCancelled': {
        if (!order.cancellationReason) throw new Error(`order ${order.id} cancelled without a reason`);
        return this.emitOwn(ctx, order.id, OrderCancelledV1, { ...customer, reason: order.cancellationReason, refunded: order.refunded, detail: order.cancellationDetail ?? '', cancelledAt: at });
      }
      default: {
        const unknown: never = event;
        throw new Error(`unhandled order event ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** The order's own event: to the outbox, and on its timeline under the same id. */
  private async emitOwn<C extends EventContract>(ctx: HandlerContext, orderId: string, contract: C, payload: PayloadOf<C>): Promise<void> {
    // the id derives from the fact that moved the order (ADR 0014): a replay re-emits the same event
    const id = ctx.emit(contract, payload, { aggregateId: orderId });
    await this.store.recordOnTimeline(ctx.manager, { orderId, eventId: id, topic: contract.topic, type: contract.type, version: contract.version, causationId: ctx.event.id, occurredAt: ctx.now.toISOString() }, ctx.now);
  }
}

const changed = (a: OrderInSaga, b: OrderInSaga): boolean =>
  a.status !== b.status ||
  a.paymentStatus !== b.paymentStatus ||
  a.fulfilmentStatus !== b.fulfilmentStatus ||
  a.cancellationReason !== b.cancellationReason ||
  a.cancellationDetail !== b.cancellationDetail ||
  a.refunded !== b.refunded ||
  JSON.stringify(a.shipment) !== JSON.stringify(b.shipment);


