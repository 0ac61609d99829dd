import { z } from 'zod';
import { defineEvent } from '../contract';

/**
 * A message a consumer could not process (invalid schema, unknown version, broken invariant, or
 * retries exhausted). It carries the original record verbatim so ops can inspect and redrive it;
 * the Kafka key of the dead letter is the original key.
 */
export const DeadLetterV1 = defineEvent({
  type: 'DeadLetter',
  version: 1,
  aggregateType: 'deadletter',
  summary: 'A poison message parked by a consumer, with the original record and why it failed.',
  schema: z.object({
    original: z.object({
      topic: z.string(),
      partition: z.number().int().nonnegative(),
      offset: z.string(),
      key: z.string().nullable(),
      headers: z.record(z.string(), z.string()),
      /** The original value, verbatim (it may not even be JSON). */
      value: z.string().nullable(),
      timestamp: z.string(),
    }),
    consumerGroup: z.string(),
    handler: z.string(),
    error: z.object({ kind: z.enum(['poison', 'retries-exhausted']), name: z.string(), message: z.string() }),
    attempts: z.number().int().positive(),
    deadLetteredAt: z.iso.datetime({ offset: true }),
  }),
  example: {
    original: {
      topic: 'order.events',
      partition: 0,
      offset: '42',
      key: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
      headers: { id: '5f0c3a4e-1d2b-4c3d-9e8f-7a6b5c4d3e2f', eventType: 'OrderPlaced', eventVersion: '1' },
      value: '{"orderId": "not-a-uuid"}',
      timestamp: '1795000000000',
    },
    consumerGroup: 'payment-service',
    handler: 'payment-service.OrderPlaced',
    error: { kind: 'poison', name: 'ContractViolation', message: 'orderId: Invalid UUID' },
    attempts: 1,
    deadLetteredAt: '2026-11-22T10:00:01.000Z',
  },
});
export type DeadLetterV1 = z.output<typeof DeadLetterV1.schema>;
