import { z } from 'zod';
import { defineEvent } from '../contract';
import { amountMinorSchema, currencySchema } from '../money';

// order.events after OrderPlaced: the order's own conclusions from the payment and fulfilment facts.
// They carry the customer's address so a consumer (notification) needs no other event to act.

const at = z.iso.datetime({ offset: true });
const customer = { orderId: z.uuid(), customerId: z.string().min(1), customerEmail: z.email() };

export const OrderConfirmedV1 = defineEvent({
  type: 'OrderConfirmed',
  version: 1,
  aggregateType: 'order',
  summary: 'The payment is captured: the order is confirmed and will ship.',
  schema: z.object({ ...customer, total: amountMinorSchema, currency: currencySchema, confirmedAt: at }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    customerId: 'cus_42',
    customerEmail: 'ada@example.com',
    total: 2500,
    currency: 'EUR',
    confirmedAt: '2026-11-22T10:00:03.500Z',
  },
});
export type OrderConfirmedV1 = z.output<typeof OrderConfirmedV1.schema>;

export const OrderCompletedV1 = defineEvent({
  type: 'OrderCompleted',
  version: 1,
  aggregateType: 'order',
  summary: 'The shipment left the warehouse: nothing more happens to the order unless an operator refunds it.',
  schema: z.object({ ...customer, shipmentId: z.uuid(), carrier: z.string().min(1), trackingNumber: z.string().min(1), completedAt: at }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    customerId: 'cus_42',
    customerEmail: 'ada@example.com',
    shipmentId: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
    carrier: 'paystate-post',
    trackingNumber: 'PS1F2E3D4C5B6A',
    completedAt: '2026-11-22T10:00:04.500Z',
  },
});
export type OrderCompletedV1 = z.output<typeof OrderCompletedV1.schema>;

/** Why an order was cancelled, one per compensation path of SPEC §4. */
export const ORDER_CANCELLATION_REASONS = [
  /** C1: the processor declined the authorisation. */
  'PAYMENT_DECLINED',
  /** C1: the payment failed validation before reaching the processor. */
  'PAYMENT_INVALID',
  /** C2: stock could not be reserved; the authorisation was voided. */
  'OUT_OF_STOCK',
  /** C3: the capture failed; the authorisation was voided. */
  'CAPTURE_FAILED',
  /** C4: the carrier could not ship after capture; the payment was refunded. */
  'SHIPMENT_FAILED',
] as const;
export type OrderCancellationReason = (typeof ORDER_CANCELLATION_REASONS)[number];

export const OrderCancelledV1 = defineEvent({
  type: 'OrderCancelled',
  version: 1,
  aggregateType: 'order',
  summary: 'The order will not be fulfilled, and its payment is compensated (nothing charged, or refunded).',
  schema: z.object({
    ...customer,
    reason: z.enum(ORDER_CANCELLATION_REASONS),
    /** true when money was captured and given back (C4); false when nothing was ever charged. */
    refunded: z.boolean(),
    detail: z.string(),
    cancelledAt: at,
  }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    customerId: 'cus_42',
    customerEmail: 'ada@example.com',
    reason: 'OUT_OF_STOCK',
    refunded: false,
    detail: 'BOOK-1: 2 requested, 1 available',
    cancelledAt: '2026-11-22T10:00:02.500Z',
  },
});
export type OrderCancelledV1 = z.output<typeof OrderCancelledV1.schema>;
