import { z } from 'zod';

const schema = z.object({
  SERVICE_NAME: z.string().default('fulfilment-service'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3004),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  KAFKA_BROKERS: z.string().min(1).transform((v) => v.split(',').map((b) => b.trim()).filter(Boolean)),
  KAFKA_GROUP_ID: z.string().default('fulfilment-service'),
  KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(32).default(3),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** How long a finished Idempotency-Key is replayed (SPEC §5: at least 24 h). */
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(24, 'must be at least 24 (SPEC §5)').default(24),
  /** How long a request holds its key before a retry may take it over (its process presumed dead). */
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  /** How often expired idempotency keys are deleted; 0 turns the purge off. */
  IDEMPOTENCY_PURGE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
});

export type FulfilmentServiceConfig = z.output<typeof schema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FulfilmentServiceConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`fulfilment-service configuration is invalid:\n${lines}`);
  }
  return result.data;
}
