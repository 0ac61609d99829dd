import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderPlacedV1 } from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { Decision, Order, PlaceOrder, PlaceOrderError, placeOrder } from '../../domain/order';
import { OrderRecord } from '../../infrastructure/persistence/order.entity';

export interface RequestCause {
  /** The HTTP request's id: the causation id of the events it produces. */
  requestId: string;
  traceparent?: string;
}

/** Places an order: the PENDING order, its first transition and OrderPlaced commit in one transaction. */
@Injectable()
export class PlaceOrderUseCase {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async execute(command: PlaceOrder, cause: RequestCause, now = new Date()): Promise<Decision<Order, PlaceOrderError>> {
    const decision = placeOrder(command, { orderId: randomUUID(), now });
    if (!decision.ok) return decision;
    const order = decision.value;

    await this.dataSource.transaction(async (manager) => {
      await manager.insert(OrderRecord, OrderRecord.fromDomain(order));
      await manager.query(
        `INSERT INTO order_transition (order_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, NULL, $2, $3, 'http-request', $4)`,
        [order.id, order.status, cause.requestId, now],
      );
      await appendToOutbox(manager, [
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
    });
    return decision;
  }
}
