import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderPlacedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { InitiatePaymentOnOrderPlaced } from '../../application/order-placed/initiate-payment';

/** Kafka adapter for order.events: routes each event version to its application handler. */
@Controller()
export class OrderEventsConsumer {
  constructor(private readonly initiatePayment: InitiatePaymentOnOrderPlaced) {}

  @OnEvent(OrderPlacedV1)
  onOrderPlaced(@Payload() event: ConsumedEvent<OrderPlacedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.initiatePayment.handle(event, ctx);
  }
}
