import type { FailpointPlan } from '@paystate/failpoints';
import { parseFailpointsConfig, parseServiceConfig, serviceConfigBase } from '@paystate/service-runtime/config';
import { z } from 'zod';

/** Every env var notification-service reads (tooling reads the keys of this export). */
export const configSchema = serviceConfigBase({ serviceName: 'notification-service', port: 3005 })
  .extend({
    SMTP_HOST: z.string().min(1),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535),
    /** Connection, greeting and socket timeout of one SMTP attempt; must stay well under the lease. */
    SMTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    MAIL_FROM: z.string().min(1).default('paystate <orders@paystate.local>'),
    /** The right-hand side of every Message-ID (`<notification id@domain>`). */
    MAIL_MESSAGE_ID_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name').default('notifications.paystate.local'),
    /** How long an instance owns a notification it is sending; then another may take over. */
    NOTIFICATION_LEASE_MS: z.coerce.number().int().positive().default(60_000),
    /** How often due notifications are looked for (besides the kick after each new one). */
    NOTIFICATION_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
    /** The longest wait between two attempts while the mail server is unavailable. */
    NOTIFICATION_MAX_BACKOFF_MS: z.coerce.number().int().positive().default(60_000),
  })
  .refine((c) => c.SMTP_TIMEOUT_MS * 2 < c.NOTIFICATION_LEASE_MS, { message: 'NOTIFICATION_LEASE_MS must exceed twice SMTP_TIMEOUT_MS', path: ['NOTIFICATION_LEASE_MS'] });

export type NotificationServiceConfig = z.output<typeof configSchema>;

/** The only reader of process.env in this service; a bad value stops the start with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotificationServiceConfig {
  return parseServiceConfig(configSchema, 'notification-service', env);
}

/** The test faults to arm (PAYSTATE_FAILPOINTS, ADR 0005): read beside configSchema, which lists what an operator sets. */
export function loadFailpoints(env: NodeJS.ProcessEnv = process.env): FailpointPlan {
  return parseFailpointsConfig('notification-service', env);
}
