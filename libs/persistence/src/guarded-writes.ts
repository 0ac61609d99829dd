import type { EntityManager } from 'typeorm';

/** Whatever runs SQL in the caller's transaction: an EntityManager, or the DataSource's own manager. */
export type Queryable = Pick<EntityManager, 'query'>;

/**
 * A guarded write matched no row: the aggregate changed between our read and our write (another
 * transaction won). Its SQLSTATE is serialization_failure's, so `isTransientDatabaseError` and every
 * caller that retries a serialization failure (the idempotent consumer, the background workers)
 * retry it the same way: read again, decide again.
 */
export class StaleWriteError extends Error {
  override readonly name = 'StaleWriteError';
  readonly code = '40001';

  constructor(
    /** What was written: `order`, `payment`, `stock`… */
    readonly aggregate: string,
    readonly id: string,
    /** What the write expected and no longer holds, as a sentence end: `changed since version 3`. */
    readonly expected: string,
  ) {
    super(`${aggregate} ${id} ${expected}`);
  }
}

/**
 * The number of rows an UPDATE or DELETE changed. TypeORM's `query()` answers those two statements
 * (with or without RETURNING, and behind a WITH) as `[rows, affected]`, and anything else as the
 * rows alone; any other shape here means the statement was not an UPDATE or DELETE.
 */
export function affectedRows(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  throw new TypeError('expected the [rows, affected] answer of an UPDATE or DELETE');
}

/** The rows an `UPDATE … RETURNING` (or `DELETE … RETURNING`) returned. */
export async function updateReturning<T>(manager: Queryable, sql: string, params: readonly unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, [...params]);
  affectedRows(result);
  return (result as [T[], number])[0];
}

/** Runs an UPDATE or DELETE and answers how many rows it changed. */
export async function updateCount(manager: Queryable, sql: string, params: readonly unknown[]): Promise<number> {
  return affectedRows(await manager.query(sql, [...params]));
}

/**
 * An UPDATE guarded by what the decision was made on (`WHERE id = $1 AND version = $2`, or a status,
 * or a quantity still available): it must change exactly one row, or the aggregate moved under us
 * and the StaleWriteError names it.
 */
export async function guardedUpdate(manager: Queryable, sql: string, params: readonly unknown[], stale: { aggregate: string; id: string; expected: string }): Promise<void> {
  if ((await updateCount(manager, sql, params)) !== 1) throw new StaleWriteError(stale.aggregate, stale.id, stale.expected);
}
