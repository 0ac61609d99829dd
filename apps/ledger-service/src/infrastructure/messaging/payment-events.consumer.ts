import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PaymentCapturedV1, PaymentRefundedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { PostCaptureJournal } from '../../application/payment-captured/post-capture-journal';
import { PostRefundReversal } from '../../application/payment-refunded/post-refund-reversal';

/** Kafka adapter for payment.events: the other payment facts move no money in the books and are not subscribed. */
@Controller()
export class PaymentEventsConsumer {
  constructor(private readonly capture: PostCaptureJournal, private readonly refund: PostRefundReversal) {}

  @OnEvent(PaymentCapturedV1)
  onPaymentCaptured(@Payload() event: ConsumedEvent<PaymentCapturedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.capture.handle(event, ctx);
  }

  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(@Payload() event: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.refund.handle(event, ctx);
  }
}
