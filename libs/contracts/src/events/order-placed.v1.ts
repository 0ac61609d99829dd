import { z } from 'zod';
import { defineEvent } from '../contract';
import { amountMinorSchema, currencySchema } from '../money';

export const OrderPlacedV1 = defineEvent({
  type: 'OrderPlaced',
  version: 1,
  aggregateType: 'order',
  summary: 'A customer placed an order; it is PENDING until payment and stock say otherwise.',
  schema: z.object({
    orderId: z.uuid(),
    customerId: z.string().min(1),
    customerEmail: z.email(),
    currency: currencySchema,
    items: z
      .array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive(), unitPrice: amountMinorSchema }))
      .min(1),
    total: amountMinorSchema,
    /** A processor token; never a card number. */
    paymentMethod: z.string().min(1),
    placedAt: z.iso.datetime({ offset: true }),
  }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    customerId: 'cus_42',
    customerEmail: 'ada@example.com',
    currency: 'EUR',
    items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
    total: 2500,
    paymentMethod: 'tok_visa_approve',
    placedAt: '2026-11-22T10:00:00.000Z',
  },
});
export type OrderPlacedV1 = z.output<typeof OrderPlacedV1.schema>;
