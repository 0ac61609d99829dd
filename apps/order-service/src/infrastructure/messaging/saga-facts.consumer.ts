import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  LedgerEntryPostedV1,
  NotificationSentV1,
  PaymentAuthorisedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentRequiresReviewV1,
  PaymentVoidedV1,
  ShipmentDispatchedV1,
  ShipmentFailedV1,
  StockReleasedV1,
  StockReservationFailedV1,
  StockReservedV1,
} from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { FollowSaga } from '../../application/follow-saga/follow-saga';

/**
 * Kafka adapter for payment.events, fulfilment.events, ledger.events and notification.events:
 * each fact reduced to what the order needs (domain/order-saga.ts), or, for ledger journals and
 * notifications, only put on the order's timeline.
 */
@Controller()
export class SagaFactsConsumer {
  constructor(private readonly saga: FollowSaga) {}

  @OnEvent(PaymentAuthorisedV1)
  onPaymentAuthorised(@Payload() e: ConsumedEvent<PaymentAuthorisedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'PaymentAuthorised' });
  }

  @OnEvent(PaymentFailedV1)
  onPaymentFailed(@Payload() e: ConsumedEvent<PaymentFailedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    const detail = e.payload.code ? `${e.payload.detail} (${e.payload.code})` : e.payload.detail;
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'PaymentFailed', reason: e.payload.reason, detail });
  }

  @OnEvent(PaymentCapturedV1)
  onPaymentCaptured(@Payload() e: ConsumedEvent<PaymentCapturedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'PaymentCaptured' });
  }

  @OnEvent(PaymentVoidedV1)
  onPaymentVoided(@Payload() e: ConsumedEvent<PaymentVoidedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'PaymentVoided', reason: e.payload.reason });
  }

  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(@Payload() e: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'PaymentRefunded', reason: e.payload.reason, refundedTotal: e.payload.refundedTotal });
  }

  @OnEvent(PaymentRequiresReviewV1)
  onPaymentRequiresReview(@Payload() e: ConsumedEvent<PaymentRequiresReviewV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'PaymentRequiresReview', reason: e.payload.reason });
  }

  @OnEvent(StockReservedV1)
  onStockReserved(@Payload() e: ConsumedEvent<StockReservedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'StockReserved' });
  }

  @OnEvent(StockReservationFailedV1)
  onStockReservationFailed(@Payload() e: ConsumedEvent<StockReservationFailedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    const detail = e.payload.unavailable.map((u) => `${u.sku}: ${u.requested} requested, ${u.available} available`).join('; ') || e.payload.reason;
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'StockReservationFailed', detail });
  }

  @OnEvent(StockReleasedV1)
  onStockReleased(@Payload() e: ConsumedEvent<StockReleasedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'StockReleased' });
  }

  @OnEvent(ShipmentDispatchedV1)
  onShipmentDispatched(@Payload() e: ConsumedEvent<ShipmentDispatchedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    const { shipmentId: id, carrier, trackingNumber } = e.payload;
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'ShipmentDispatched', shipment: { id, carrier, trackingNumber } });
  }

  @OnEvent(ShipmentFailedV1)
  onShipmentFailed(@Payload() e: ConsumedEvent<ShipmentFailedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.follow(e, ctx, e.payload.orderId, { type: 'ShipmentFailed', reason: e.payload.reason });
  }

  @OnEvent(LedgerEntryPostedV1)
  onLedgerEntryPosted(@Payload() e: ConsumedEvent<LedgerEntryPostedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.record(e, ctx, e.payload.orderId);
  }

  @OnEvent(NotificationSentV1)
  onNotificationSent(@Payload() e: ConsumedEvent<NotificationSentV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.saga.record(e, ctx, e.payload.orderId);
  }
}
