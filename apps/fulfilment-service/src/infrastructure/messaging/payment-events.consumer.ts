import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PaymentAuthorisedV1, PaymentCapturedV1, PaymentRefundedV1, PaymentVoidedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { DispatchShipmentOnPaymentCaptured } from '../../application/dispatch-shipment/dispatch-on-payment-captured';
import { ReleaseReservation } from '../../application/release-stock/release-reservation';
import { ReserveStockOnPaymentAuthorised } from '../../application/reserve-stock/reserve-stock';

/** Kafka adapter for payment.events. */
@Controller()
export class PaymentEventsConsumer {
  constructor(
    private readonly reserve: ReserveStockOnPaymentAuthorised,
    private readonly dispatch: DispatchShipmentOnPaymentCaptured,
    private readonly release: ReleaseReservation,
  ) {}

  @OnEvent(PaymentAuthorisedV1)
  onPaymentAuthorised(@Payload() event: ConsumedEvent<PaymentAuthorisedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.reserve.handle(event, ctx);
  }

  @OnEvent(PaymentCapturedV1)
  onPaymentCaptured(@Payload() event: ConsumedEvent<PaymentCapturedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.dispatch.handle(event, ctx);
  }

  @OnEvent(PaymentVoidedV1)
  onPaymentVoided(@Payload() event: ConsumedEvent<PaymentVoidedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.release.onPaymentVoided(event, ctx);
  }

  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(@Payload() event: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.release.onPaymentRefunded(event, ctx);
  }
}
