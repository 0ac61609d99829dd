import { Injectable } from '@nestjs/common';
import type { PaymentRefundedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { recordConsumedFact, sourceOf } from '../consumed-fact';
import { OrderJournals } from '../order-journals';

/**
 * C4 and operator refunds: PaymentRefunded → REFUND_REVERSAL (Dr customer_clearing, or merchant_payable
 * for what the dispatch journal already moved there / Cr processor_receivable); parked until the capture.
 */
@Injectable()
export class PostRefundReversal {
  constructor(private readonly journals: OrderJournals) {}

  handle(event: ConsumedEvent<PaymentRefundedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, paymentId, refundId, amount, currency } = event.payload;
    return recordConsumedFact(this.journals, event, ctx, { kind: 'refunded', orderId, paymentId, refundId, amount, currency, ...sourceOf(event) });
  }
}
