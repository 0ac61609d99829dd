import { z } from 'zod';
import { amountMinorSchema, currencySchema } from '@paystate/contracts';
import { ProblemError } from '@paystate/service-runtime';
import { FAULT_KINDS } from '../../domain/faults';
import { OPERATIONS } from '../../domain/operation';
import { TEST_CARD_TOKEN } from '../../domain/test-cards';

// Request bodies. Strict: an unknown field is an error, not silently dropped.

export const authoriseRequest = z.strictObject({
  amount: amountMinorSchema,
  currency: currencySchema,
  paymentMethod: z.string().regex(TEST_CARD_TOKEN, 'must be a test card token (tok_…)'),
  reference: z.string().trim().min(1).max(255),
});
export type AuthoriseRequest = z.output<typeof authoriseRequest>;

/** Capture and refund: the amount is optional (default: all that is left). A missing body is `{}`. */
export const amountRequest = z.preprocess((v) => v ?? {}, z.strictObject({ amount: amountMinorSchema.optional() }));
export type AmountRequest = z.output<typeof amountRequest>;

export const voidRequest = z.preprocess((v) => v ?? {}, z.strictObject({}));

export const faultRequest = z
  .strictObject({
    operation: z.enum([...OPERATIONS, 'any']),
    kind: z.enum(FAULT_KINDS),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    rate: z.number().min(0).max(1).optional(),
    count: z.number().int().positive().optional(),
  })
  .refine((f) => f.kind !== 'latency' || f.latencyMs !== undefined, { path: ['latencyMs'], message: 'is required for a latency fault' });
export type FaultRequest = z.output<typeof faultRequest>;

export const webhookModeRequest = z.strictObject({
  duplicate: z.boolean(),
  outOfOrder: z.boolean(),
  /** Out-of-order mode: how long a reference must be quiet before its held events go out, newest first. */
  holdMs: z.number().int().min(0).max(600_000).optional(),
});
export type WebhookModeRequest = z.output<typeof webhookModeRequest>;

const processorReference = z.string().min(1).max(255);

export const discrepancyRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('drop'), processorReference }),
  z.strictObject({ kind: z.literal('amount'), processorReference, amount: amountMinorSchema }),
  z.strictObject({ kind: z.literal('currency'), processorReference, currency: currencySchema }),
  z.strictObject({ kind: z.literal('duplicate'), processorReference }),
  z.strictObject({
    kind: z.literal('unknown'),
    amount: amountMinorSchema,
    currency: currencySchema,
    type: z.enum(['capture', 'refund']).default('capture'),
    reference: z.string().min(1).max(255).optional(),
  }),
]);
export type DiscrepancyRequestBody = z.output<typeof discrepancyRequest>;

/** `?reference=` of the look-ups: required, 1 to 255 characters. */
export function requireReference(reference: unknown): string {
  if (typeof reference !== 'string' || reference.trim() === '' || reference.length > 255) {
    throw ProblemError.of(400, 'validation', 'Your request is not valid', 'Query parameter reference is required.', {
      errors: [{ field: 'reference', message: 'is required (1 to 255 characters)' }],
    });
  }
  return reference;
}
