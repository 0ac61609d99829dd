import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { OrderPlacedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { initiatePayment } from '../../domain/payment';
import { PaymentRecord } from '../../infrastructure/persistence/payment.entity';

/**
 * OrderPlaced → a payment INITIATED for the order. Runs inside the inbox transaction, so a
 * redelivered OrderPlaced never reaches here twice; the partial unique index on live payments per
 * order is the second guard, for an order replayed under a different event id.
 */
@Injectable()
export class InitiatePaymentOnOrderPlaced {
  async handle(event: ConsumedEvent<OrderPlacedV1>, ctx: HandlerContext): Promise<void> {
    const existing = await ctx.manager.findOne(PaymentRecord, { where: { orderId: event.payload.orderId } });
    if (existing) return;
    const payment = initiatePayment(event.payload, { paymentId: randomUUID(), now: ctx.now });
    await ctx.manager.insert(PaymentRecord, PaymentRecord.fromDomain(payment));
    await ctx.manager.query(
      `INSERT INTO payment_transition (payment_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, NULL, $2, $3, $4, $5)`,
      [payment.id, payment.status, event.id, event.type, ctx.now],
    );
  }
}
