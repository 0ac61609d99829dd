import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { PaymentCapturedV1, ShipmentDispatchedV1, ShipmentFailedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext, PoisonMessageError } from '@paystate/messaging';
import { handToCarrier } from '../../domain/carrier';
import { onPaymentCaptured } from '../../domain/fulfilment';
import { FulfilmentStore } from '../../infrastructure/persistence/fulfilment-store';
import { StockStore } from '../../infrastructure/persistence/stock-store';
import { factEventId, shipmentIdFor, trackingNumberFor } from '../identities';

/** A uniform roll in [0, 1) for the carrier's injected failure rate. */
const roll = (): number => randomInt(0, 1_000_000) / 1_000_000;

/**
 * SPEC §4 step 6 and C4: PaymentCaptured → hand the reserved items to the (simulated) carrier.
 * Dispatched: the reservation is consumed (on hand and reserved both go down) → ShipmentDispatched
 * carrying the captured amount. Refused: the shipment is FAILED and the stock stays reserved until
 * the refund releases it → ShipmentFailed. A capture with nothing held is a saga bug: dead letter.
 */
@Injectable()
export class DispatchShipmentOnPaymentCaptured {
  private readonly logger = new Logger(DispatchShipmentOnPaymentCaptured.name);

  constructor(private readonly orders: FulfilmentStore, private readonly stock: StockStore) {}

  async handle(event: ConsumedEvent<PaymentCapturedV1>, ctx: HandlerContext): Promise<void> {
    const { orderId, amount, currency } = event.payload;
    const state = await this.orders.lockOrder(ctx.manager, orderId, ctx.now);
    const decision = onPaymentCaptured(state);
    switch (decision.kind) {
      case 'ignore':
        this.logger.warn({ orderId, eventId: event.id, reason: decision.reason }, 'PaymentCaptured no longer applies; ignored');
        return;
      case 'invariant-broken':
        throw new PoisonMessageError(`${decision.reason} (order ${orderId})`);
      case 'dispatch':
        break;
    }
    const { reservation } = decision;
    const cause = { id: event.id, type: event.type };
    const faults = await this.orders.lockCarrierFaults(ctx.manager);
    const handOver = handToCarrier(reservation.items, faults, roll());
    if (handOver.faults !== faults) await this.orders.saveCarrierFaults(ctx.manager, handOver.faults, ctx.now);

    const shipmentId = shipmentIdFor(orderId);
    const at = ctx.now.toISOString();
    const shipment = { id: shipmentId, orderId, reservationId: reservation.id, carrier: handOver.carrier, items: reservation.items, amount, currency };
    switch (handOver.outcome) {
      case 'dispatched': {
        const trackingNumber = trackingNumberFor(shipmentId);
        await this.stock.consume(ctx.manager, reservation.items, ctx.now);
        await this.orders.moveReservation(ctx.manager, orderId, reservation.id, 'CONSUMED', null, cause, ctx.now);
        await this.orders.insertShipment(ctx.manager, { ...shipment, status: 'DISPATCHED', trackingNumber, failureReason: null }, cause, ctx.now);
        ctx.emit(ShipmentDispatchedV1, { orderId, shipmentId, carrier: handOver.carrier, trackingNumber, items: reservation.items, amount, currency, dispatchedAt: at }, { id: factEventId('ShipmentDispatched', shipmentId) });
        this.logger.log({ orderId, eventId: event.id, shipmentId, trackingNumber }, 'shipment dispatched');
        return;
      }
      case 'failed':
        await this.orders.insertShipment(ctx.manager, { ...shipment, status: 'FAILED', trackingNumber: null, failureReason: handOver.reason }, cause, ctx.now);
        ctx.emit(ShipmentFailedV1, { orderId, shipmentId, reason: handOver.reason, failedAt: at }, { id: factEventId('ShipmentFailed', shipmentId) });
        this.logger.warn({ orderId, eventId: event.id, shipmentId, reason: handOver.reason }, 'shipment failed; the reservation stays held until the refund');
        return;
    }
  }
}
