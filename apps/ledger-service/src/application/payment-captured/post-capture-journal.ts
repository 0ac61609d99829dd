import { Injectable } from '@nestjs/common';
import type { PaymentCapturedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { recordConsumedFact, sourceOf } from '../consumed-fact';
import { OrderJournals } from '../order-journals';

/** SPEC §4 step 5: PaymentCaptured → CAPTURE (Dr processor_receivable / Cr customer_clearing); releases parked facts. */
@Injectable()
export class PostCaptureJournal {
  constructor(private readonly journals: OrderJournals) {}

  handle(event: ConsumedEvent<PaymentCapturedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, paymentId, amount, currency } = event.payload;
    return recordConsumedFact(this.journals, event, ctx, { kind: 'captured', orderId, paymentId, amount, currency, ...sourceOf(event) });
  }
}
