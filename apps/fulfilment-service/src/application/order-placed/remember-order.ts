import { Injectable, Logger } from '@nestjs/common';
import type { OrderPlacedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { onOrderPlaced } from '../../domain/fulfilment';
import { FulfilmentStore } from '../../infrastructure/persistence/fulfilment-store';
import { StockReservations } from '../reserve-stock/reserve-stock';

/**
 * OrderPlaced → remember the order's lines, currency and total; nothing is reserved until the
 * payment is authorised. If that authorisation was already seen (parked), reserve now.
 */
@Injectable()
export class RememberOrderOnOrderPlaced {
  private readonly logger = new Logger(RememberOrderOnOrderPlaced.name);

  constructor(private readonly orders: FulfilmentStore, private readonly reservations: StockReservations) {}

  async handle(event: ConsumedEvent<OrderPlacedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, items, currency, total } = event.payload;
    const state = await this.orders.lockOrder(ctx.manager, orderId, ctx.now);
    const decision = onOrderPlaced(state);
    switch (decision.kind) {
      case 'ignore':
        this.logger.warn({ orderId, eventId: event.id, reason: decision.reason }, 'OrderPlaced no longer applies; ignored');
        return;
      case 'remember': {
        const lines = items.map(({ sku, quantity }) => ({ sku, quantity }));
        await this.orders.rememberOrder(ctx.manager, orderId, { lines, currency, total }, event.id, ctx.now);
        if (decision.reserveNow) {
          const outcome = await this.reservations.reserve(ctx, orderId, lines, { id: event.id, type: event.type });
          this.logger.log({ orderId, eventId: event.id, outcome }, 'parked authorisation released: stock reservation');
        }
        return;
      }
    }
  }
}
