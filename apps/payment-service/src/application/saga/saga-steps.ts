import { Injectable, Logger } from '@nestjs/common';
import type { ShipmentFailedV1, StockReservationFailedV1, StockReservedV1 } from '@paystate/contracts';
import { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import { Decision, OperationType, Payment, PaymentStatus, Rejection, isRejection, refundableRemainder, requestCapture, requestRefund, requestVoid } from '../../domain/payment';
import { PaymentStore } from '../../infrastructure/persistence/payment-store';
import { PaymentOperations } from '../operations/payment-operations';

/**
 * The saga facts from fulfilment that move a payment: StockReserved → capture; StockReservationFailed
 * → void (C2); ShipmentFailed → refund (C4). Each only starts an operation (persisted PENDING in
 * the inbox transaction); the processor is called after the commit. A fact that no longer applies
 * (the payment already moved on, e.g. a late redelivery) is logged and changes nothing.
 *
 * Each fact is caused by an outcome of ours: StockReserved and StockReservationFailed follow
 * PaymentAuthorised, ShipmentFailed follows PaymentCaptured. Live, the payment has that outcome
 * before the fact can exist. A replay (ops replay, ops recover: ADR 0019) re-creates the operation
 * from the replayed OrderPlaced or StockReserved and can read the next fact before the executor has
 * the processor's answer to it; such a fact is early, not stale: the step throws FactBeforeItsCause,
 * so the consumer rolls back and retries it with backoff until the outcome is recorded.
 */
@Injectable()
export class PaymentSagaSteps {
  private readonly logger = new Logger(PaymentSagaSteps.name);

  constructor(private readonly store: PaymentStore, private readonly operations: PaymentOperations) {}

  captureOnStockReserved(event: ConsumedEvent<StockReservedV1>, ctx: HandlerContext): Promise<void> {
    return this.step(event, ctx, event.payload.orderId, AFTER_AUTHORISATION, (p) => requestCapture(p));
  }

  voidOnStockReservationFailed(event: ConsumedEvent<StockReservationFailedV1>, ctx: HandlerContext): Promise<void> {
    return this.step(event, ctx, event.payload.orderId, AFTER_AUTHORISATION, (p) => requestVoid(p, 'STOCK_UNAVAILABLE'));
  }

  /** C4: refund what is left, net of refunds already in flight (a person's, started just before). */
  refundOnShipmentFailed(event: ConsumedEvent<ShipmentFailedV1>, ctx: HandlerContext): Promise<void> {
    return this.step(event, ctx, event.payload.orderId, AFTER_CAPTURE, async (p) => {
      const inFlight = await this.store.refundsInFlight(ctx.manager, p.id);
      return requestRefund(p, refundableRemainder(p, inFlight), 'SHIPMENT_FAILED', inFlight);
    });
  }

  private async step(event: ConsumedEvent, ctx: HandlerContext, orderId: string, cause: CausingOutcome, decide: (p: Payment) => Decision | Rejection | Promise<Decision | Rejection>): Promise<void> {
    const payment = await this.store.lockByOrder(ctx.manager, orderId);
    if (!payment) {
      this.logger.warn({ orderId, eventId: event.id, eventType: event.type }, 'no payment for the order; nothing to do');
      return;
    }
    const decision = await decide(payment);
    if (isRejection(decision)) {
      if (payment.status === cause.before && (await this.store.hasOpenOperation(ctx.manager, payment.id, cause.operation))) {
        throw new FactBeforeItsCause(`${event.type} ${event.id} for payment ${payment.id} arrived before the outcome of its ${cause.operation} (payment still ${payment.status}): retried until the executor records it`);
      }
      this.logger.warn({ orderId, paymentId: payment.id, status: payment.status, eventType: event.type, reason: decision.reason }, 'saga fact does not apply to the payment any more');
      return;
    }
    await this.store.apply(ctx.manager, payment, decision, { id: event.id, type: event.type, traceparent: event.traceparent }, ctx.now);
    ctx.afterCommit(() => this.operations.kick());
  }
}

/** The outcome of ours a fact follows: the operation, and the status the payment has until it succeeds. */
interface CausingOutcome {
  operation: OperationType;
  before: PaymentStatus;
}
const AFTER_AUTHORISATION: CausingOutcome = { operation: 'AUTHORISE', before: 'VALIDATED' };
const AFTER_CAPTURE: CausingOutcome = { operation: 'CAPTURE', before: 'AUTHORISED' };

/** A saga fact read before the outcome that caused it was recorded here (a replay): retryable, never poison. */
export class FactBeforeItsCause extends Error {
  override readonly name = 'FactBeforeItsCause';
}
