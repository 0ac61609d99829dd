import type { FailpointPlan } from '@paystate/failpoints';
import { commaSeparated, idempotencyConfig, parseFailpointsConfig, parseServiceConfig, serviceConfigBase } from '@paystate/service-runtime/config';
import { z } from 'zod';

/** Every env var payment-service reads (tooling reads the keys of this export). */
export const configSchema = serviceConfigBase({ serviceName: 'payment-service', port: 3002 }).extend({
  PROCESSOR_URL: z.url(),
  PROCESSOR_API_KEY: z.string().min(1),
  /** Comma-separated: a signature made with any of them is accepted, so the processor can rotate secrets without a gap. */
  PROCESSOR_WEBHOOK_SECRETS: commaSeparated(),
  PROCESSOR_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
  /** How long an instance owns an operation it is calling the processor for; then another may take over. */
  PAYMENT_OPERATION_LEASE_MS: z.coerce.number().int().positive().default(15_000),
  /** How long an unknown outcome is retried before the payment goes to REQUIRES_REVIEW. */
  PAYMENT_OPERATION_DEADLINE_MS: z.coerce.number().int().positive().default(15 * 60_000),
  PAYMENT_RESOLVER_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  // the saga monitor's part here (SPEC §8, ADR 0017)
  /** How long a payment may stay in REQUIRES_REVIEW before it is reported stuck. */
  PAYMENT_SLA_REVIEW_MS: z.coerce.number().int().positive().default(60 * 60_000),
  /** How long an operation may stay UNKNOWN or IN_FLIGHT before it is reported stuck (well before its deadline). */
  PAYMENT_SLA_UNKNOWN_MS: z.coerce.number().int().positive().default(5 * 60_000),
  /** CRITICAL is reported at this multiple of the SLA (WARNING at the SLA). */
  PAYMENT_SLA_ESCALATION: z.coerce.number().gt(1).default(4),
  PAYMENT_MONITOR_INTERVAL_MS: z.coerce.number().int().positive().default(30_000),
  ...idempotencyConfig,
});

export type PaymentServiceConfig = z.output<typeof configSchema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PaymentServiceConfig {
  return parseServiceConfig(configSchema, 'payment-service', env);
}

/** The test faults to arm (PAYSTATE_FAILPOINTS, ADR 0005): read beside configSchema, which lists what an operator sets. */
export function loadFailpoints(env: NodeJS.ProcessEnv = process.env): FailpointPlan {
  return parseFailpointsConfig('payment-service', env);
}
