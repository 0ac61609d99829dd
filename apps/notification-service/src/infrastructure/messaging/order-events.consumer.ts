import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1, OrderPlacedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { RecordCustomerFacts } from '../../application/customer-facts/record-customer-facts';

/** Kafka adapter for order.events: routes each event version to its application handler. */
@Controller()
export class OrderEventsConsumer {
  constructor(private readonly facts: RecordCustomerFacts) {}

  @OnEvent(OrderPlacedV1)
  onOrderPlaced(@Payload() event: ConsumedEvent<OrderPlacedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.facts.orderPlaced(event, ctx);
  }

  @OnEvent(OrderConfirmedV1)
  onOrderConfirmed(@Payload() event: ConsumedEvent<OrderConfirmedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.facts.customerFact({ type: 'OrderConfirmed', eventId: event.id, payload: event.payload }, event, ctx);
  }

  @OnEvent(OrderCompletedV1)
  onOrderCompleted(@Payload() event: ConsumedEvent<OrderCompletedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.facts.customerFact({ type: 'OrderCompleted', eventId: event.id, payload: event.payload }, event, ctx);
  }

  @OnEvent(OrderCancelledV1)
  onOrderCancelled(@Payload() event: ConsumedEvent<OrderCancelledV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.facts.customerFact({ type: 'OrderCancelled', eventId: event.id, payload: event.payload }, event, ctx);
  }
}
