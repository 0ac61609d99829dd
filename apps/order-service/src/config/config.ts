import type { FailpointPlan } from '@paystate/failpoints';
import { idempotencyConfig, parseFailpointsConfig, parseServiceConfig, serviceConfigBase } from '@paystate/service-runtime/config';
import { z } from 'zod';

/** Every env var order-service reads (tooling reads the keys of this export). */
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const MINUTE = 60_000;

export const configSchema = serviceConfigBase({ serviceName: 'order-service', port: 3001 }).extend({
  ...idempotencyConfig,
  // the saga monitor (SPEC §8, ADR 0017): how long an order may stay in each stage before it is reported stuck
  /** PENDING with no payment outcome (awaiting authorisation). */
  SAGA_SLA_PENDING_MS: ms(15 * MINUTE),
  /** Authorised, with no stock decision, or reserved with no capture. */
  SAGA_SLA_AUTHORISED_MS: ms(15 * MINUTE),
  /** CONFIRMED (paid) with no shipment: the seeds' "paid but no fulfilment request after N hours". */
  SAGA_SLA_CONFIRMED_MS: ms(4 * 60 * MINUTE),
  /** A compensation under way (a void after no stock, a refund after a failed shipment) not reported done. */
  SAGA_SLA_COMPENSATION_MS: ms(30 * MINUTE),
  /** The payment in REQUIRES_REVIEW: waiting for a person. */
  SAGA_SLA_REVIEW_MS: ms(60 * MINUTE),
  /** CRITICAL is reported at this multiple of a stage's SLA (WARNING at the SLA). */
  SAGA_SLA_ESCALATION: z.coerce.number().gt(1).default(4),
  SAGA_MONITOR_INTERVAL_MS: ms(30_000),
});

export type OrderServiceConfig = z.output<typeof configSchema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrderServiceConfig {
  return parseServiceConfig(configSchema, 'order-service', env);
}

/** The test faults to arm (PAYSTATE_FAILPOINTS, ADR 0005): read beside configSchema, which lists what an operator sets. */
export function loadFailpoints(env: NodeJS.ProcessEnv = process.env): FailpointPlan {
  return parseFailpointsConfig('order-service', env);
}
