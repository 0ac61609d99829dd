import { FailpointsConfig, failpointsConfig, parseServiceConfig, serviceConfigBase } from '@paystate/service-runtime/config';
import type { z } from 'zod';

/** Every env var ledger-service reads (tooling reads the keys of this export): the base keys only. */
export const configSchema = serviceConfigBase({ serviceName: 'ledger-service', port: 3003 });

export type LedgerServiceConfig = z.output<typeof configSchema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerServiceConfig & FailpointsConfig {
  return parseServiceConfig(configSchema.extend(failpointsConfig), 'ledger-service', env);
}
