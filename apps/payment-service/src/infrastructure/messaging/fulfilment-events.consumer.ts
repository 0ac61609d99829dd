import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ShipmentFailedV1, StockReservationFailedV1, StockReservedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { PaymentSagaSteps } from '../../application/saga/saga-steps';

/** Kafka adapter for fulfilment.events. */
@Controller()
export class FulfilmentEventsConsumer {
  constructor(private readonly saga: PaymentSagaSteps) {}

  @OnEvent(StockReservedV1)
  onStockReserved(@Payload() event: ConsumedEvent<StockReservedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.captureOnStockReserved(event, ctx);
  }

  @OnEvent(StockReservationFailedV1)
  onStockReservationFailed(@Payload() event: ConsumedEvent<StockReservationFailedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.voidOnStockReservationFailed(event, ctx);
  }

  @OnEvent(ShipmentFailedV1)
  onShipmentFailed(@Payload() event: ConsumedEvent<ShipmentFailedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.refundOnShipmentFailed(event, ctx);
  }
}
