import { Injectable, Logger } from '@nestjs/common';
import { OrderCancelledV1, PaymentRefundedV1, PaymentVoidedV1, StockReleasedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { ReleaseReason, onReleaseFact } from '../../domain/fulfilment';
import { FulfilmentStore } from '../../infrastructure/persistence/fulfilment-store';
import { StockStore } from '../../infrastructure/persistence/stock-store';
import { factEventId } from '../identities';

/**
 * C2, C3, C4 and cancellations: PaymentVoided, PaymentRefunded and OrderCancelled give a HELD
 * reservation back to available stock → StockReleased. When nothing is held (the reservation
 * failed, was consumed by a dispatch, or was already released) the fact is logged and ignored;
 * when nothing was reserved yet, it is remembered so a parked authorisation is never acted on.
 */
@Injectable()
export class ReleaseReservation {
  private readonly logger = new Logger(ReleaseReservation.name);

  constructor(private readonly orders: FulfilmentStore, private readonly stock: StockStore) {}

  onPaymentVoided(event: ConsumedEvent<PaymentVoidedV1>, ctx: HandlerContext): Promise<void> {
    return this.release(event, ctx, event.payload.orderId, 'PAYMENT_VOIDED');
  }

  onPaymentRefunded(event: ConsumedEvent<PaymentRefundedV1>, ctx: HandlerContext): Promise<void> {
    return this.release(event, ctx, event.payload.orderId, 'PAYMENT_REFUNDED');
  }

  onOrderCancelled(event: ConsumedEvent<OrderCancelledV1>, ctx: HandlerContext): Promise<void> {
    return this.release(event, ctx, event.payload.orderId, 'ORDER_CANCELLED');
  }

  private async release(event: ConsumedEvent, ctx: HandlerContext, orderId: string, reason: ReleaseReason): Promise<void> {
    const state = await this.orders.lockOrder(ctx.manager, orderId, ctx.now);
    const decision = onReleaseFact(state, reason);
    switch (decision.kind) {
      case 'ignore':
        this.logger.log({ orderId, eventId: event.id, eventType: event.type, reason: decision.reason }, 'nothing to release; ignored');
        return;
      case 'withdraw-payment':
        await this.orders.setPayment(ctx.manager, orderId, 'WITHDRAWN', null, ctx.now);
        this.logger.log({ orderId, eventId: event.id, eventType: event.type }, 'parked authorisation withdrawn before anything was reserved');
        return;
      case 'mark-cancelled':
        await this.orders.markCancelled(ctx.manager, orderId, ctx.now);
        this.logger.log({ orderId, eventId: event.id }, 'order cancelled before anything was reserved');
        return;
      case 'release': {
        const { reservation } = decision;
        await this.stock.release(ctx.manager, reservation.items, ctx.now);
        await this.orders.moveReservation(ctx.manager, orderId, reservation.id, 'RELEASED', reason, { id: event.id, type: event.type }, ctx.now);
        if (reason === 'ORDER_CANCELLED') await this.orders.markCancelled(ctx.manager, orderId, ctx.now);
        ctx.emit(StockReleasedV1, { orderId, reservationId: reservation.id, items: reservation.items, reason, releasedAt: ctx.now.toISOString() }, { id: factEventId('StockReleased', reservation.id) });
        this.logger.log({ orderId, eventId: event.id, reservationId: reservation.id, reason }, 'reservation released');
        return;
      }
    }
  }
}
