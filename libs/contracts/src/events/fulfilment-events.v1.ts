import { z } from 'zod';
import { defineEvent } from '../contract';

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
