import type { FailpointPlan } from '@paystate/failpoints';
import { idempotencyConfig, parseFailpointsConfig, parseServiceConfig, serviceConfigBase } from '@paystate/service-runtime/config';
import type { z } from 'zod';

/** Every env var order-service reads (tooling reads the keys of this export). */
export const configSchema = serviceConfigBase({ serviceName: 'order-service', port: 3001 }).extend({
  ...idempotencyConfig,
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
