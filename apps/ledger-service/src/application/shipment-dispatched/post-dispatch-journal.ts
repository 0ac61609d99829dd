import { Injectable } from '@nestjs/common';
import type { ShipmentDispatchedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { recordConsumedFact, sourceOf } from '../consumed-fact';
import { OrderJournals } from '../order-journals';

/** SPEC §4 step 7: ShipmentDispatched → DISPATCH (Dr customer_clearing / Cr merchant_payable); parked until the capture. */
@Injectable()
export class PostDispatchJournal {
  constructor(private readonly journals: OrderJournals) {}

  handle(event: ConsumedEvent<ShipmentDispatchedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, shipmentId, amount, currency } = event.payload;
    return recordConsumedFact(this.journals, event, ctx, { kind: 'dispatched', orderId, shipmentId, amount, currency, ...sourceOf(event) });
  }
}
