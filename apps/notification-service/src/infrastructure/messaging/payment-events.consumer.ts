import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { PaymentRefundedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { OnEvent } from '@paystate/messaging/nest';
import { RecordCustomerFacts } from '../../application/customer-facts/record-customer-facts';

/** Kafka adapter for payment.events: only a refund concerns the customer directly. */
@Controller()
export class PaymentEventsConsumer {
  constructor(private readonly facts: RecordCustomerFacts) {}

  @OnEvent(PaymentRefundedV1)
  onPaymentRefunded(@Payload() event: ConsumedEvent<PaymentRefundedV1>, @Ctx() ctx: HandlerContext): Promise<void> {
    return this.facts.customerFact({ type: 'PaymentRefunded', eventId: event.id, payload: event.payload }, event, ctx);
  }
}
