import { Injectable, Logger } from '@nestjs/common';
import type { OrderPlacedV1 } from '@paystate/contracts';
import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { initiatePayment, isRejection, validatePayment } from '../../domain/payment';
import { PaymentStore } from '../../infrastructure/persistence/payment-store';
import { PaymentOperations } from '../operations/payment-operations';
import { eventsFor } from '../payment-events';

/**
 * OrderPlaced → a payment INITIATED, validated in the same transaction: VALIDATED with an
 * AUTHORISE operation persisted PENDING (the processor is called after the commit, never inside
 * it), or FAILED with PaymentFailed (C1). The inbox makes a redelivery a no-op; the index
 * `payments_one_live_per_order` refuses a second live payment for the order in any case.
 */
@Injectable()
export class InitiatePaymentOnOrderPlaced {
  private readonly logger = new Logger(InitiatePaymentOnOrderPlaced.name);

  constructor(private readonly store: PaymentStore, private readonly operations: PaymentOperations) {}

  async handle(event: ConsumedEvent<OrderPlacedV1>, ctx: HandlerContext): Promise<void> {
    const existing = await this.store.lockByOrder(ctx.manager, event.payload.orderId);
    if (existing) {
      this.logger.warn({ orderId: event.payload.orderId, eventId: event.id }, 'order already has a payment; OrderPlaced ignored');
      return;
    }
    const cause = { id: event.id, type: event.type, traceparent: event.traceparent };
    // replay-safe: the payment's id derives from the OrderPlaced that caused it (ADR 0014)
    const payment = initiatePayment(event.payload, ctx.deriveId('payment'));
    await this.store.insert(ctx.manager, payment, cause, ctx.now);
    const decision = validatePayment(payment);
    if (isRejection(decision)) throw new Error(decision.reason); // cannot happen for a new payment
    const next = await this.store.apply(ctx.manager, payment, decision, cause, ctx.now);
    for (const e of eventsFor(next, decision.facts, ctx.now)) ctx.emit(e.contract, e.payload);
    if (decision.operation) ctx.afterCommit(() => this.operations.kick());
  }
}
