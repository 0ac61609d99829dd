/**
 * Which database failures are worth retrying as they are: the same statement may well succeed a
 * moment later. Anything else is a bug or a broken invariant, and retrying it forever would stall
 * a partition, so callers treat it differently.
 */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function isTransientDatabaseError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; driverError?: unknown; message?: unknown };
  if (e.driverError && e.driverError !== error && isTransientDatabaseError(e.driverError)) return true;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

/** The SQLSTATE of a unique violation, for callers that turn a constraint into a domain outcome. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; constraint?: unknown; driverError?: unknown };
  if (e.code === '23505') return constraint === undefined || e.constraint === constraint;
  return e.driverError !== undefined && e.driverError !== error && isUniqueViolation(e.driverError, constraint);
}
