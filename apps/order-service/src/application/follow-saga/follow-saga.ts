import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventContract, OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1, PayloadOf } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext, PoisonMessageError } from '@paystate/messaging';
import { OrderFact, OrderInSaga, OrderLifecycleEvent, applyFact } from '../../domain/order-saga';
import { OrderRecord } from '../../infrastructure/persistence/order.entity';
import { recordOnTimeline } from '../timeline/timeline';

/** The order changed under our feet (another transaction won): 40001 makes the consumer retry it. */
export class ConcurrentOrderUpdate extends Error {
  override readonly name = 'ConcurrentOrderUpdate';
  readonly code = '40001';
}

/**
 * Applies the saga's facts to orders, inside the consumer's inbox transaction: the fact goes on the
 * order's timeline, the order moves by the domain's rules with a guarded update and a transition
 * row per step, and the order's own events (OrderConfirmed, OrderCompleted, OrderCancelled) go to
 * the outbox, all in one commit.
 */
@Injectable()
export class FollowSaga {
  private readonly logger = new Logger(FollowSaga.name);

  /** A fact that moves or annotates the order. */
  async follow(event: ConsumedEvent, ctx: HandlerContext, orderId: string, fact: OrderFact): Promise<void> {
    const record = await this.lockAndRecord(event, ctx, orderId);

    const before = record.toDomain();
    const outcome = applyFact(before, fact);
    if (outcome.ignored) {
      this.logger.log({ orderId, eventId: event.id, eventType: event.type, status: before.status, why: outcome.ignored }, 'fact recorded; the order has moved past it');
    }
    if (!changed(before, outcome.order)) return;

    await this.save(ctx.manager, record, outcome.order, ctx.now);
    for (const t of outcome.transitions) {
      await ctx.manager.query(
        'INSERT INTO order_transition (order_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, $2, $3, $4, $5, $6)',
        [orderId, t.from, t.to, event.id, event.type, ctx.now],
      );
    }
    for (const e of outcome.emit) await this.emit(ctx, outcome.order, e);
  }

  /** A fact that only belongs on the timeline (ledger journals, notifications sent). */
  async record(event: ConsumedEvent, ctx: HandlerContext, orderId: string): Promise<void> {
    await this.lockAndRecord(event, ctx, orderId);
  }

  /** Locks the order (facts about one order apply one at a time) and puts the fact on its timeline. */
  private async lockAndRecord(event: ConsumedEvent, ctx: HandlerContext, orderId: string): Promise<OrderRecord> {
    const order = await this.lockOrder(ctx.manager, orderId, event);
    const { id: eventId, topic, type, version, causationId, occurredAt } = event;
    await recordOnTimeline(ctx.manager, { orderId, eventId, topic, type, version, causationId, occurredAt }, ctx.now);
    return order;
  }

  private async lockOrder(manager: EntityManager, orderId: string, event: ConsumedEvent): Promise<OrderRecord> {
    const record = await manager.findOne(OrderRecord, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    // order-service creates every order before any fact about it can exist: a fact about an unknown
    // order is a broken invariant (another environment's data, a restored database) for a person to see
    if (!record) throw new PoisonMessageError(`${event.type} ${event.id} is about order ${orderId}, which order-service does not know`);
    return record;
  }

  private async save(manager: EntityManager, record: OrderRecord, next: OrderInSaga, now: Date): Promise<void> {
    const [, updated] = await manager.query<[unknown[], number]>(
      `UPDATE orders
          SET status = $3, payment_status = $4, fulfilment_status = $5, cancellation_reason = $6, cancellation_detail = $7,
              refunded = $8, shipment = $9, version = version + 1, updated_at = $10
        WHERE id = $1 AND version = $2`,
      [record.id, record.version, next.status, next.paymentStatus, next.fulfilmentStatus, next.cancellationReason, next.cancellationDetail, next.refunded, next.shipment ? JSON.stringify(next.shipment) : null, now],
    );
    if (updated !== 1) throw new ConcurrentOrderUpdate(`order ${record.id} changed since version ${record.version}`);
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
    const id = randomUUID();
    ctx.emit(contract, payload, { aggregateId: orderId, id });
    await recordOnTimeline(ctx.manager, { orderId, eventId: id, topic: contract.topic, type: contract.type, version: contract.version, causationId: ctx.event.id, occurredAt: ctx.now.toISOString() }, ctx.now);
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


