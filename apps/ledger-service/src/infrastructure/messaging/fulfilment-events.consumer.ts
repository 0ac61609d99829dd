import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ShipmentDispatchedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { PostDispatchJournal } from '../../application/shipment-dispatched/post-dispatch-journal';

/** Kafka adapter for fulfilment.events: only a dispatch moves money in the books. */
@Controller()
export class FulfilmentEventsConsumer {
  constructor(private readonly dispatch: PostDispatchJournal) {}

  @OnEvent(ShipmentDispatchedV1)
  onShipmentDispatched(@Payload() event: ConsumedEvent<ShipmentDispatchedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.dispatch.handle(event, ctx);
  }
}
