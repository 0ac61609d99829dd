import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/**
 * Every env var processor-sim reads (tooling reads the keys of this export). Deliberately not built on
 * @paystate/service-runtime's base config: the simulator plays a third party (no Kafka, its own API
 * key and idempotency), so its settings are its own, like its auth.
 */
export const configSchema = z.object({
  SERVICE_NAME: z.string().default('processor-sim'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3010),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** The one API key clients authenticate with (`Authorization: Bearer <key>`). */
  PROCESSOR_API_KEY: z.string().min(8, 'must be at least 8 characters'),
  /** Where webhooks are delivered (payment-service's POST /webhooks/processor). */
  PROCESSOR_WEBHOOK_URL: z.url({ protocol: /^https?$/ }),
  /** Comma-separated signing secrets; each signs every webhook (several while a secret is rotated). */
  PROCESSOR_WEBHOOK_SECRETS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, 'must name at least one secret')),
  /** The /admin routes (fault injection, ground truth, webhook modes) exist only when true. */
  PROCESSOR_ADMIN_ENABLED: booleanFlag,
  /** How long tok_slow authorisations take. */
  PROCESSOR_SLOW_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
  /** First webhook retry delay; each further retry doubles it. */
  PROCESSOR_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(500),
});

export type ProcessorSimConfig = z.output<typeof configSchema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProcessorSimConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`processor-sim configuration is invalid:\n${lines}`);
  }
  return result.data;
}

/** Nest injection token of the loaded configuration. */
export const PROCESSOR_CONFIG = Symbol('PROCESSOR_CONFIG');
