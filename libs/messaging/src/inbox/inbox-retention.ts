import type { DataSource, EntityManager } from 'typeorm';

/**
 * Inbox retention (ADR 0018): rows of handled events older than the retention are deleted in small
 * batches, and each batch raises its handlers' `inbox_horizon.pruned_through` in the same
 * transaction, so the horizon never claims less than what is gone. A replay guard reads the horizon:
 * a record produced at or before it may have been forgotten, and replaying it would apply it again.
 * Dead letters are never pruned, nor the inbox row of a letter still parked (its redrive needs it).
 */

export interface InboxRetentionOptions {
  /** Inbox rows processed more than this long ago are deleted. */
  retentionMs: number;
  /** Rows per transaction: small, so no batch holds its locks for long. */
  batchSize: number;
}

/** One handler's share of a committed batch, and its horizon after it. */
export interface PrunedHandler {
  handler: string;
  deleted: number;
  prunedThrough: Date;
}

export interface PruneBatchResult {
  deleted: number;
  handlers: PrunedHandler[];
}

/** A row of inbox_horizon. */
export interface InboxHorizon {
  handler: string;
  prunedThrough: Date;
  prunedRows: number;
  updatedAt: Date;
}

/** The instant before which processed rows may go: `now − retention`. */
export function pruneCutoff(now: Date, retentionMs: number): Date {
  if (!Number.isFinite(retentionMs) || retentionMs <= 0) throw new RangeError(`inbox retention must be a positive number of ms, not ${retentionMs}`);
  return new Date(now.getTime() - retentionMs);
}

/** A full batch means more may be waiting: run the next one now rather than at the next interval. */
export function mayHaveMore(batch: PruneBatchResult, batchSize: number): boolean {
  return batch.deleted >= batchSize;
}

/** The horizon after a batch: never lower than before (two pruners may commit out of order). */
export function raisedHorizon(previous: Date | undefined, batchMax: Date): Date {
  return previous !== undefined && previous.getTime() >= batchMax.getTime() ? previous : batchMax;
}

/**
 * Deletes up to `batchSize` inbox rows processed before `cutoff` and raises the horizon of each
 * handler they belonged to, in the caller's transaction. `FOR UPDATE SKIP LOCKED`: a concurrent
 * pruner takes other rows (nothing deleted or counted twice, no waiting on each other's rows); the
 * horizon rows are upserted in handler order, so two pruners lock them in the same order and cannot
 * deadlock. `GREATEST` keeps the horizon monotonic whatever the commit order.
 */
export async function pruneInboxBatch(manager: EntityManager, cutoff: Date, batchSize: number): Promise<PruneBatchResult> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, not ${batchSize}`);
  const rows = await manager.query<{ handler: string; deleted: number; pruned_through: Date }[]>(
    `WITH victims AS (
       SELECT i.handler, i.event_id FROM inbox i
        WHERE i.processed_at < $1
          AND (i.outcome = 'processed' OR NOT EXISTS (
                SELECT 1 FROM dead_letter d
                 WHERE d.handler = i.handler AND d.event_id = i.event_id AND d.status <> 'redriven'))
        ORDER BY i.processed_at
        LIMIT $2
        FOR UPDATE OF i SKIP LOCKED
     ), gone AS (
       DELETE FROM inbox i USING victims v
        WHERE i.handler = v.handler AND i.event_id = v.event_id
       RETURNING i.handler, i.processed_at
     ), per_handler AS (
       SELECT handler, max(processed_at) AS through, count(*) AS n FROM gone GROUP BY handler
     ), raised AS (
       INSERT INTO inbox_horizon AS h (handler, pruned_through, pruned_rows, updated_at)
       SELECT handler, through, n, now() FROM per_handler ORDER BY handler
       ON CONFLICT (handler) DO UPDATE
          SET pruned_through = GREATEST(h.pruned_through, EXCLUDED.pruned_through),
              pruned_rows = h.pruned_rows + EXCLUDED.pruned_rows,
              updated_at = now()
       RETURNING h.handler, h.pruned_through
     )
     SELECT p.handler, p.n::int AS deleted, r.pruned_through
       FROM per_handler p JOIN raised r ON r.handler = p.handler
      ORDER BY p.handler`,
    [cutoff, batchSize],
  );
  const handlers = rows.map((r) => ({ handler: r.handler, deleted: Number(r.deleted), prunedThrough: new Date(r.pruned_through) }));
  return { deleted: handlers.reduce((n, h) => n + h.deleted, 0), handlers };
}

/** Every handler's horizon (none: nothing was ever pruned, the inbox remembers everything it handled). */
export async function readInboxHorizons(manager: Pick<EntityManager, 'query'>): Promise<InboxHorizon[]> {
  const rows = await manager.query<{ handler: string; pruned_through: Date; pruned_rows: string; updated_at: Date }[]>(
    'SELECT handler, pruned_through, pruned_rows, updated_at FROM inbox_horizon ORDER BY handler',
  );
  return rows.map((r) => ({ handler: r.handler, prunedThrough: new Date(r.pruned_through), prunedRows: Number(r.pruned_rows), updatedAt: new Date(r.updated_at) }));
}

/** The pruning job's database side: one batch per call, each in its own short transaction. */
export class InboxRetentionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: InboxRetentionOptions,
  ) {
    pruneCutoff(new Date(), options.retentionMs); // validates
  }

  /** Prunes one batch older than `now − retention`. */
  pruneBatch(now: Date = new Date()): Promise<PruneBatchResult> {
    const cutoff = pruneCutoff(now, this.options.retentionMs);
    return this.dataSource.transaction((manager) => pruneInboxBatch(manager, cutoff, this.options.batchSize));
  }

  /** Batches until one is not full (or `maxBatches`); true when the last was full (more may wait). */
  async prune(now: Date = new Date(), maxBatches = 100): Promise<{ deleted: number; handlers: Map<string, PrunedHandler>; more: boolean }> {
    const handlers = new Map<string, PrunedHandler>();
    let deleted = 0;
    for (let i = 0; i < maxBatches; i++) {
      const batch = await this.pruneBatch(now);
      deleted += batch.deleted;
      for (const h of batch.handlers) {
        const prev = handlers.get(h.handler);
        handlers.set(h.handler, { handler: h.handler, deleted: (prev?.deleted ?? 0) + h.deleted, prunedThrough: raisedHorizon(prev?.prunedThrough, h.prunedThrough) });
      }
      if (!mayHaveMore(batch, this.options.batchSize)) return { deleted, handlers, more: false };
    }
    return { deleted, handlers, more: true };
  }

  horizons(): Promise<InboxHorizon[]> {
    return readInboxHorizons(this.dataSource);
  }
}
