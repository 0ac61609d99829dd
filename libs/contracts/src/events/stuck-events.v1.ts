import { z } from 'zod';
import { defineEvent } from '../contract';

// The saga monitor's alerts (SPEC §8): a saga (order-service's view) or a payment (payment-service's
// view) has stayed in one stage longer than that stage's SLA. One event per threshold crossing: the
// event id is derived from (subject, stage, level), so a second instance or a replay re-emits the
// same id and every inbox deduplicates it.

const at = z.iso.datetime({ offset: true });
const STUCK_LEVELS = ['WARNING', 'CRITICAL'] as const;
export type StuckLevel = (typeof STUCK_LEVELS)[number];

const crossing = {
  orderId: z.uuid(),
  /** The stage the saga or payment is in (e.g. AWAITING_SHIPMENT, REQUIRES_REVIEW). */
  stage: z.string().min(1),
  /** WARNING at the stage's SLA, CRITICAL at the escalation threshold (a multiple of it). */
  level: z.enum(STUCK_LEVELS),
  /** The threshold that was crossed, in milliseconds in the stage. */
  thresholdMs: z.number().int().positive(),
  /** When the stage began. */
  since: at,
  /** When the monitor saw the crossing. */
  detectedAt: at,
  /** What the saga waits for and who produces it. */
  awaiting: z.object({ event: z.string().min(1), producer: z.string().min(1) }),
};

export const SagaStuckV1 = defineEvent({
  type: 'SagaStuck',
  version: 1,
  aggregateType: 'order',
  summary: 'An order has stayed in one stage of its saga longer than that stage’s SLA (reported once per threshold crossing).',
  schema: z.object(crossing),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    stage: 'AWAITING_SHIPMENT',
    level: 'WARNING',
    thresholdMs: 14_400_000,
    since: '2026-11-22T10:00:03.500Z',
    detectedAt: '2026-11-22T14:00:04.000Z',
    awaiting: { event: 'ShipmentDispatched', producer: 'fulfilment-service' },
  },
});
export type SagaStuckV1 = z.output<typeof SagaStuckV1.schema>;

export const PaymentStuckV1 = defineEvent({
  type: 'PaymentStuck',
  version: 1,
  aggregateType: 'payment',
  summary: 'A payment has stayed in review, or an operation of it with an unknown outcome, longer than its SLA (reported once per threshold crossing).',
  schema: z.object({ ...crossing, paymentId: z.uuid() }),
  example: {
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    stage: 'REQUIRES_REVIEW',
    level: 'WARNING',
    thresholdMs: 3_600_000,
    since: '2026-11-22T10:00:03.500Z',
    detectedAt: '2026-11-22T11:00:04.000Z',
    awaiting: { event: 'a resolution (POST /payments/:id/resolutions)', producer: 'an operator' },
  },
});
export type PaymentStuckV1 = z.output<typeof PaymentStuckV1.schema>;
