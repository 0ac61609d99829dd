import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderCancelledV1, OrderPlacedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { RememberOrderOnOrderPlaced } from '../../application/order-placed/remember-order';
import { ReleaseReservation } from '../../application/release-stock/release-reservation';

/** Kafka adapter for order.events. */
@Controller()
export class OrderEventsConsumer {
  constructor(private readonly rememberOrder: RememberOrderOnOrderPlaced, private readonly release: ReleaseReservation) {}

  @OnEvent(OrderPlacedV1)
  onOrderPlaced(@Payload() event: ConsumedEvent<OrderPlacedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.rememberOrder.handle(event, ctx);
  }

  @OnEvent(OrderCancelledV1)
  onOrderCancelled(@Payload() event: ConsumedEvent<OrderCancelledV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.release.onOrderCancelled(event, ctx);
  }
}
