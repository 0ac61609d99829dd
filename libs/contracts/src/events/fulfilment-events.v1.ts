import { z } from 'zod';
import { defineEvent } from '../contract';
import { amountMinorSchema, currencySchema } from '../money';

// fulfilment.events: stock and shipment facts, keyed by the order id.

const at = z.iso.datetime({ offset: true });
const line = z.object({ sku: z.string().min(1), quantity: z.number().int().positive() });

export const StockReservedV1 = defineEvent({
  type: 'StockReserved',
  version: 1,
  aggregateType: 'fulfilment',
  summary: 'Every line of the order is reserved in stock.',
  schema: z.object({ orderId: z.uuid(), reservationId: z.uuid(), items: z.array(line).min(1), reservedAt: at }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    reservationId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    items: [{ sku: 'BOOK-1', quantity: 2 }],
    reservedAt: '2026-11-22T10:00:02.000Z',
  },
});
export type StockReservedV1 = z.output<typeof StockReservedV1.schema>;

export const StockReservationFailedV1 = defineEvent({
  type: 'StockReservationFailed',
  version: 1,
  aggregateType: 'fulfilment',
  summary: 'At least one line cannot be reserved; nothing was reserved (C2).',
  schema: z.object({
    orderId: z.uuid(),
    reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU']),
    unavailable: z.array(z.object({ sku: z.string().min(1), requested: z.number().int().positive(), available: z.number().int().nonnegative() })),
    failedAt: at,
  }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    reason: 'OUT_OF_STOCK',
    unavailable: [{ sku: 'BOOK-1', requested: 2, available: 1 }],
    failedAt: '2026-11-22T10:00:02.000Z',
  },
});
export type StockReservationFailedV1 = z.output<typeof StockReservationFailedV1.schema>;

export const ShipmentFailedV1 = defineEvent({
  type: 'ShipmentFailed',
  version: 1,
  aggregateType: 'fulfilment',
  summary: 'The carrier could not dispatch the shipment after the payment was captured (C4).',
  schema: z.object({ orderId: z.uuid(), shipmentId: z.uuid(), reason: z.string().min(1), failedAt: at }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    shipmentId: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
    reason: 'carrier rejected the parcel',
    failedAt: '2026-11-22T10:00:04.000Z',
  },
});
export type ShipmentFailedV1 = z.output<typeof ShipmentFailedV1.schema>;

export const ShipmentDispatchedV1 = defineEvent({
  type: 'ShipmentDispatched',
  version: 1,
  aggregateType: 'fulfilment',
  summary: 'The carrier took the parcel: the reserved stock left the warehouse. Carries the captured value it ships against.',
  schema: z.object({
    orderId: z.uuid(),
    shipmentId: z.uuid(),
    carrier: z.string().min(1),
    trackingNumber: z.string().min(1),
    items: z.array(line).min(1),
    /** The captured amount this shipment fulfils: what the ledger moves from customer clearing to merchant payable. */
    amount: amountMinorSchema,
    currency: currencySchema,
    dispatchedAt: at,
  }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    shipmentId: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
    carrier: 'paystate-post',
    trackingNumber: 'PS1F2E3D4C5B6A',
    items: [{ sku: 'BOOK-1', quantity: 2 }],
    amount: 2500,
    currency: 'EUR',
    dispatchedAt: '2026-11-22T10:00:04.000Z',
  },
});
export type ShipmentDispatchedV1 = z.output<typeof ShipmentDispatchedV1.schema>;

export const STOCK_RELEASE_REASONS = ['PAYMENT_VOIDED', 'PAYMENT_REFUNDED', 'ORDER_CANCELLED'] as const;

export const StockReleasedV1 = defineEvent({
  type: 'StockReleased',
  version: 1,
  aggregateType: 'fulfilment',
  summary: 'A reservation was given back to available stock because the order will not ship (C3, C4).',
  schema: z.object({ orderId: z.uuid(), reservationId: z.uuid(), items: z.array(line).min(1), reason: z.enum(STOCK_RELEASE_REASONS), releasedAt: at }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    reservationId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    items: [{ sku: 'BOOK-1', quantity: 2 }],
    reason: 'PAYMENT_REFUNDED',
    releasedAt: '2026-11-22T10:00:06.000Z',
  },
});
export type StockReleasedV1 = z.output<typeof StockReleasedV1.schema>;
