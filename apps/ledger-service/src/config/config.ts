import type { FailpointPlan } from '@paystate/failpoints';
import { parseFailpointsConfig, parseServiceConfig, serviceConfigBase } from '@paystate/service-runtime/config';
import type { z } from 'zod';

/** Every env var ledger-service reads (tooling reads the keys of this export): the base keys only. */
export const configSchema = serviceConfigBase({ serviceName: 'ledger-service', port: 3003 });

export type LedgerServiceConfig = z.output<typeof configSchema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerServiceConfig {
  return parseServiceConfig(configSchema, 'ledger-service', env);
}

/** The test faults to arm (PAYSTATE_FAILPOINTS, ADR 0005): read beside configSchema, which lists what an operator sets. */
export function loadFailpoints(env: NodeJS.ProcessEnv = process.env): FailpointPlan {
  return parseFailpointsConfig('ledger-service', env);
}
