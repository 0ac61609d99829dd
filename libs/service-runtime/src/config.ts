// The configuration every paystate service reads, as a zod schema each app extends with its own
// keys, and the one parser that turns a bad environment into a clear multi-line error. This file
// imports zod, the framework-free failpoints parser and the contracts' retention constants only: tooling (the compose checks, the canvas spec) loads each app's config through
// `@paystate/service-runtime/config` to read its keys, without loading Nest.
import { z } from 'zod';
import { EVENT_TOPIC_RETENTION_MS, INBOX_REPLAY_MARGIN_MS, MIN_INBOX_RETENTION_MS } from '@paystate/contracts';
import { FailpointPlan, failpointsSetting } from '@paystate/failpoints';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** A comma-separated list (`a:9092, b:9092`), trimmed, empty entries dropped. */
export function commaSeparated() {
  return z
    .string()
    .min(1)
    .transform((v) => v.split(',').map((item) => item.trim()).filter(Boolean));
}

export interface ServiceConfigDefaults {
  /** The default of SERVICE_NAME and of KAFKA_GROUP_ID. */
  serviceName: string;
  /** The default PORT (the dev profile's, SPEC's port plan). */
  port: number;
}

/**
 * The keys every service reads, with the same rules everywhere: who it is and where it listens,
 * its database, its Kafka consumer, its log level. An app extends it with `.extend({ … })`.
 */
export function serviceConfigBase({ serviceName, port }: ServiceConfigDefaults) {
  return z.object({
    SERVICE_NAME: z.string().default(serviceName),
    PORT: z.coerce.number().int().min(1).max(65535).default(port),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
    KAFKA_BROKERS: commaSeparated(),
    KAFKA_GROUP_ID: z.string().default(serviceName),
    KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(32).default(3),
    /** How often the dead-letter redrive worker looks for letters `ops dlq redrive` asked for (ADR 0016); 0 runs none. */
    DLQ_REDRIVE_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    ...inboxRetentionConfig,
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Inbox retention (ADR 0018): how long the inbox remembers a handled event, never less than a
 * topic can serve it back (its retention plus the replay margin), or a replay would apply it twice.
 */
export const inboxRetentionConfig = {
  /** Inbox rows older than this are pruned; at least topic retention + margin (16 days). */
  INBOX_RETENTION_MS: z.coerce
    .number()
    .int()
    .min(
      MIN_INBOX_RETENTION_MS,
      `must be at least ${MIN_INBOX_RETENTION_MS} (${MIN_INBOX_RETENTION_MS / DAY_MS} days: the topics' retention.ms ${EVENT_TOPIC_RETENTION_MS} plus the replay margin ${INBOX_REPLAY_MARGIN_MS}, ADR 0018)`,
    )
    .default(MIN_INBOX_RETENTION_MS),
  /** How often the inbox is pruned; 0 turns pruning off (the inbox then keeps every row). */
  INBOX_PRUNE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Inbox rows deleted per transaction (small: no batch holds its locks for long). */
  INBOX_PRUNE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
};

export type InboxRetentionConfig = z.output<z.ZodObject<typeof inboxRetentionConfig>>;

/** The keys of a service with `@Idempotent()` routes: spread into its `.extend({ … })`. */
export const idempotencyConfig = {
  /** How long a finished Idempotency-Key is replayed (SPEC §5: at least 24 h). */
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(24, 'must be at least 24 (SPEC §5)').default(24),
  /** How long a request holds its key before a retry may take it over (its process presumed dead). */
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
  /** How often expired idempotency keys are deleted; 0 turns the purge off. */
  IDEMPOTENCY_PURGE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
};

export type IdempotencyConfig = z.output<z.ZodObject<typeof idempotencyConfig>>;

/** The environment as a config reads it (process.env, or a test's literal). */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/**
 * Parses `env` with `schema`; a bad or missing value stops the start with one line per problem,
 * each naming its key (`  DATABASE_URL: Invalid input`).
 */
export function parseServiceConfig<S extends z.ZodType>(schema: S, serviceName: string, env: ConfigEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`${serviceName} configuration is invalid:\n${lines}`);
  }
  return result.data;
}

/**
 * PAYSTATE_FAILPOINTS (@paystate/failpoints, ADR 0005): test faults, armed only in a process started
 * with --conditions=paystate-failpoints. Parsed beside an app's configSchema, not in it: that lists
 * what an operator sets (the canvases' Configuration tables and the compose checks read it). A
 * refused spec stops the start, naming the point and the problem.
 */
export function parseFailpointsConfig(serviceName: string, env: ConfigEnv): FailpointPlan {
  return parseServiceConfig(failpointsSchema, serviceName, env).PAYSTATE_FAILPOINTS;
}

const failpointsSchema = z.object({ PAYSTATE_FAILPOINTS: z.string().default('').transform(failpointsSetting) });
