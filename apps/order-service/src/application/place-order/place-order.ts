import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderPlacedV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { runInTransaction } from '@paystate/persistence';
import { IdempotencyClaim, IdempotentResponse, completeIdempotencyKey } from '@paystate/service-runtime';
import { Decision, Order, PlaceOrder, PlaceOrderError, placeOrder } from '../../domain/order';
import { OrderStore } from '../../infrastructure/persistence/order-store';

export interface RequestCause {
  /** The HTTP request's id: the causation id of the events it produces. */
  requestId: string;
  traceparent?: string;
}

/** The request's hold on its Idempotency-Key, and the response to store for the placed order. */
export interface IdempotentCompletion {
  claim: IdempotencyClaim;
  respond: (order: Order) => IdempotentResponse;
}

/**
 * Places an order: the PENDING order, its first transition, OrderPlaced and the completion of the
 * request's idempotency key commit in one transaction. So a retry finds either nothing (and places
 * the order) or the order with its stored response (and replays it), never one without the other.
 */
@Injectable()
export class PlaceOrderUseCase {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: OrderStore,
  ) {}

  async execute(
    command: PlaceOrder,
    cause: RequestCause,
    idempotency: IdempotentCompletion,
    now = new Date(),
  ): Promise<Decision<{ order: Order; response: IdempotentResponse }, PlaceOrderError>> {
    // eslint-disable-next-line paystate/no-random-ids-in-handlers -- caused by an HTTP request, never replayed from Kafka (ADR 0014); the idempotency key answers a retried request
    const decision = placeOrder(command, { orderId: randomUUID(), now });
    if (!decision.ok) return decision;
    const order = decision.value;
    const response = idempotency.respond(order);

    // the unit of work fires order.place.before-commit (tests hold or fail a request there) and
    // order.place.after-commit (F2: a kill before the answer)
    await runInTransaction(this.dataSource, 'order.place', async (manager) => {
      await this.store.insert(manager, order, { id: cause.requestId, type: 'http-request' }, now);
      const [placedEventId] = await appendToOutbox(manager, [
        {
          contract: OrderPlacedV1,
          aggregateId: order.id,
          cause: { correlationId: order.id, causationId: cause.requestId, ...(cause.traceparent ? { traceparent: cause.traceparent } : {}) },
          occurredAt: now,
          payload: {
            orderId: order.id,
            customerId: order.customerId,
            customerEmail: order.customerEmail,
            currency: order.currency,
            items: order.items,
            total: order.total,
            paymentMethod: order.paymentMethod,
            placedAt: now.toISOString(),
          },
        },
      ]);
      await this.store.recordOnTimeline(
        manager,
        { orderId: order.id, eventId: placedEventId!, topic: OrderPlacedV1.topic, type: OrderPlacedV1.type, version: OrderPlacedV1.version, causationId: cause.requestId, occurredAt: now.toISOString() },
        now,
      );
    }, {
      // last, so that a concurrent retry finds the key in progress (409) rather than waiting on this row's lock
      lastStep: (manager) => completeIdempotencyKey(manager, idempotency.claim, response),
    });
    return { ok: true, value: { order, response } };
  }
}
