/** Injection token of the health checks' settings. */
export const HEALTH_OPTIONS = Symbol('paystate:health-options');

export interface HealthOptions {
  /** How long the readiness database probe may take before it reports down. */
  databaseTimeoutMs: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = { databaseTimeoutMs: 2_000 };
