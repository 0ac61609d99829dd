import { z } from 'zod';
import { amountMinorSchema, currencySchema } from '@paystate/contracts';

/** POST /orders body. Strict: an unknown field is an error, not silently dropped (SPEC §5). */
export const placeOrderRequest = z.strictObject({
  customerId: z.string().trim().min(1).max(128),
  customerEmail: z.email().max(254),
  currency: currencySchema,
  items: z
    .array(
      z.strictObject({
        sku: z.string().trim().min(1).max(64),
        quantity: z.number().int('must be an integer').positive('must be greater than zero').max(1000),
        unitPrice: amountMinorSchema,
      }),
    )
    .min(1, 'must contain at least one item')
    .max(100),
  paymentMethod: z.string().trim().min(1).max(128),
});

export type PlaceOrderRequest = z.output<typeof placeOrderRequest>;
