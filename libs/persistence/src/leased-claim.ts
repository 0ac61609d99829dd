import { type Queryable, updateReturning } from './guarded-writes';

/**
 * A claim on a table used as a work queue: the due rows are locked with FOR UPDATE SKIP LOCKED (so
 * several instances never claim the same row, and none waits on another's claim) and given a lease
 * in the same statement, so a claimed row that is never settled (a crash) is due again when the
 * lease runs out.
 *
 * The SQL fragments are the caller's code, never input: they are interpolated as they are. Inside
 * them, the claimed table is aliased `claimed`, and placeholders number into `params`; the limit,
 * when there is one, is added as the last parameter.
 */
export interface LeasedClaim {
  /** The queue table; its key column is `id`. */
  table: string;
  /** Which rows are due, e.g. `status = 'PENDING' AND next_attempt_at <= $1`. */
  due: string;
  /** The order rows are claimed in (oldest first); none when every due row is claimed. */
  orderBy?: string;
  limit?: number;
  /** What claiming writes, at least the lease: `locked_until = $2, attempts = claimed.attempts + 1`. */
  lease: string;
  /** Columns of the claimed rows to return; all of them by default. */
  returning?: readonly string[];
  params: readonly unknown[];
}

/** The statement of a leased claim (pure, for the spec). */
export function leasedClaimStatement(claim: LeasedClaim): { sql: string; params: unknown[] } {
  const params = [...claim.params];
  const order = claim.orderBy ? ` ORDER BY ${claim.orderBy}` : '';
  let limit = '';
  if (claim.limit !== undefined) {
    params.push(claim.limit);
    limit = ` LIMIT $${params.length}`;
  }
  const returning = claim.returning ? claim.returning.map((c) => `claimed.${c}`).join(', ') : 'claimed.*';
  const sql =
    `WITH due AS (SELECT id FROM ${claim.table} WHERE ${claim.due}${order}${limit} FOR UPDATE SKIP LOCKED) ` +
    `UPDATE ${claim.table} claimed SET ${claim.lease} FROM due WHERE claimed.id = due.id RETURNING ${returning}`;
  return { sql, params };
}

/** Claims the due rows of a work queue under a lease; answers the claimed rows (in no particular order). */
export function claimLeased<T>(manager: Queryable, claim: LeasedClaim): Promise<T[]> {
  const { sql, params } = leasedClaimStatement(claim);
  return updateReturning<T>(manager, sql, params);
}
