import { Injectable, Logger } from '@nestjs/common';
import { PaymentAuthorisedV1, StockReservationFailedV1, StockReservedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { onPaymentAuthorised } from '../../domain/fulfilment';
import { mergeLines, reserveAllOrNothing, StockLine } from '../../domain/stock';
import { Cause, FulfilmentStore } from '../../infrastructure/persistence/fulfilment-store';
import { StockStore } from '../../infrastructure/persistence/stock-store';
import { factEventId, reservationIdFor } from '../identities';

/**
 * SPEC §4 step 3 and C2: reserve every line of an order or none. The SKUs' rows are locked in SKU
 * order, the pure rule decides, and each line is then reserved by a guarded update; the check
 * constraint `stock_reserved_within_on_hand` makes overselling impossible even under a bug.
 */
@Injectable()
export class StockReservations {
  constructor(private readonly orders: FulfilmentStore, private readonly stock: StockStore) {}

  async reserve(ctx: HandlerContext, orderId: string, lines: readonly StockLine[], cause: Cause): Promise<'reserved' | 'failed'> {
    const items = mergeLines(lines);
    const levels = await this.stock.lockInOrder(ctx.manager, items.map((l) => l.sku));
    const attempt = reserveAllOrNothing(items, levels);
    const id = reservationIdFor(orderId);
    const at = ctx.now.toISOString();
    switch (attempt.outcome) {
      case 'reserved':
        await this.stock.reserve(ctx.manager, attempt.items, ctx.now);
        await this.orders.insertHeldReservation(ctx.manager, orderId, { id, status: 'HELD', items: attempt.items }, cause, ctx.now);
        ctx.emit(StockReservedV1, { orderId, reservationId: id, items: attempt.items, reservedAt: at }, { id: factEventId('StockReserved', id) });
        return 'reserved';
      case 'failed':
        await this.orders.insertFailedReservation(ctx.manager, orderId, id, items, attempt, cause, ctx.now);
        ctx.emit(StockReservationFailedV1, { orderId, reason: attempt.reason, unavailable: attempt.unavailable, failedAt: at }, { id: factEventId('StockReservationFailed', id) });
        return 'failed';
    }
  }
}

/** PaymentAuthorised → reserve now, or park it until OrderPlaced tells us what to reserve (SPEC §3.5). */
@Injectable()
export class ReserveStockOnPaymentAuthorised {
  private readonly logger = new Logger(ReserveStockOnPaymentAuthorised.name);

  constructor(private readonly orders: FulfilmentStore, private readonly reservations: StockReservations) {}

  async handle(event: ConsumedEvent<PaymentAuthorisedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, paymentId } = event.payload;
    const state = await this.orders.lockOrder(ctx.manager, orderId, ctx.now);
    const decision = onPaymentAuthorised(state);
    switch (decision.kind) {
      case 'ignore':
        this.logger.warn({ orderId, eventId: event.id, reason: decision.reason }, 'PaymentAuthorised no longer applies; ignored');
        return;
      case 'park':
        await this.orders.setPayment(ctx.manager, orderId, 'AUTHORISED', { paymentId, eventId: event.id }, ctx.now);
        this.logger.log({ orderId, eventId: event.id }, 'payment authorised before the order was seen; parked until OrderPlaced');
        return;
      case 'reserve': {
        await this.orders.setPayment(ctx.manager, orderId, 'AUTHORISED', { paymentId, eventId: event.id }, ctx.now);
        const outcome = await this.reservations.reserve(ctx, orderId, state.order!.lines, { id: event.id, type: event.type });
        this.logger.log({ orderId, eventId: event.id, outcome }, 'stock reservation');
        return;
      }
    }
  }
}
