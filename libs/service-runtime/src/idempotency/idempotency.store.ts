import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IdempotentResponse } from './idempotent-response';

export interface IdempotencyOptions {
  /** How long a finished key is kept (and replayed): at least 24 h (SPEC §5). */
  ttlHours: number;
  /**
   * How long a claim holds the key. A request still running after it may be taken over by a retry;
   * the original then cannot complete (its lease token no longer matches) and rolls back.
   */
  leaseSeconds: number;
  /** How often expired keys are deleted; 0 disables the purge. */
  purgeIntervalSeconds: number;
}

export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = { ttlHours: 24, leaseSeconds: 30, purgeIntervalSeconds: 300 };
export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

/** A request's hold on (client, key), from the claim until it completes or is released. */
export interface IdempotencyClaim {
  readonly clientId: string;
  readonly key: string;
  readonly fingerprint: string;
  /** Proves the lease is still ours when completing or releasing. */
  readonly leaseToken: string;
  readonly ttlHours: number;
  /** A previous holder's lease had lapsed (its process died before its commit): this claim took over. */
  readonly tookOver: boolean;
  /** Set by completeIdempotencyKey. */
  completed: boolean;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; response: IdempotentResponse }
  | { kind: 'fingerprint-mismatch' }
  | { kind: 'in-progress' };

interface KeyRow {
  fingerprint: string;
  status: 'in-progress' | 'completed';
  response_status: number | null;
  response_content_type: string | null;
  response_body: string | null;
  reclaimable: boolean;
}

/** Completing with one of these would make a retry replay something it should redo (SPEC §5: not stored). */
const NEVER_STORED = new Set([400, 401, 403, 413, 415, 429]);

export class IdempotencyLeaseLostError extends Error {
  constructor(claim: IdempotencyClaim) {
    super(`the lease on idempotency key (${claim.clientId}, ${claim.key}) was lost before completion (taken over after it lapsed)`);
  }
}

/**
 * Completes the claim INSIDE the caller's business transaction: the stored response commits
 * atomically with the effects it describes, so a crash can leave neither an effect without its
 * stored response (a retry would repeat it) nor a stored response without its effect. Throws
 * (rolling the transaction back) when the lease was lost to a retry that took over.
 */
/**
 * A command's business work and its idempotency key's completion, in one transaction: the answer
 * is stored exactly when the effects commit, so a retry of the request replays it and never acts
 * twice. Returns the work's result (for what runs after the commit) and the answer to send.
 */
export async function answerIdempotently<R>(
  dataSource: DataSource,
  idempotency: { claim: IdempotencyClaim; respond: (result: R) => IdempotentResponse },
  work: (manager: EntityManager) => Promise<R>,
): Promise<{ result: R; response: IdempotentResponse }> {
  return dataSource.transaction(async (manager) => {
    const result = await work(manager);
    const response = idempotency.respond(result);
    await completeIdempotencyKey(manager, idempotency.claim, response);
    return { result, response };
  });
}

export async function completeIdempotencyKey(manager: EntityManager, claim: IdempotencyClaim, response: IdempotentResponse): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('completeIdempotencyKey must run inside the business transaction');
  if (response.status >= 500 || NEVER_STORED.has(response.status)) {
    throw new Error(`a ${response.status} response is never stored for an idempotency key: throw instead, so the key is released`);
  }
  const rows = await manager.query<{ n: number }[]>(
    `WITH done AS (
       UPDATE idempotency_key
          SET status = 'completed', response_status = $4, response_content_type = $5, response_body = $6,
              lease_token = NULL, locked_until = NULL, expires_at = now() + make_interval(hours => $7)
        WHERE client_id = $1 AND key = $2 AND lease_token = $3 AND status = 'in-progress'
        RETURNING 1)
     SELECT count(*)::int AS n FROM done`,
    [claim.clientId, claim.key, claim.leaseToken, response.status, response.contentType, response.body, claim.ttlHours],
  );
  if (rows[0]?.n !== 1) throw new IdempotencyLeaseLostError(claim);
  claim.completed = true;
}

/** Claims, releases and purges idempotency keys, each in its own short transaction. */
@Injectable()
export class IdempotencyStore {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
  ) {}

  /**
   * New key → claimed (in-progress, leased). Existing key: expired, or in progress with a lapsed
   * lease (its request died before committing anything, since completion commits with the effects)
   * → taken over; other fingerprint → mismatch; completed → its stored response; in progress with
   * a live lease → in-progress.
   */
  async claim(request: { clientId: string; key: string; fingerprint: string }): Promise<ClaimOutcome> {
    const { ttlHours, leaseSeconds } = this.options;
    const leaseToken = randomUUID();
    const claimed = (tookOver: boolean): ClaimOutcome => ({ kind: 'claimed', claim: { ...request, leaseToken, ttlHours, tookOver, completed: false } });
    for (let attempt = 1; attempt <= 5; attempt++) {
      const inserted = await this.dataSource.query<unknown[]>(
        `INSERT INTO idempotency_key (client_id, key, fingerprint, status, lease_token, locked_until, expires_at)
         VALUES ($1, $2, $3, 'in-progress', $4, now() + make_interval(secs => $5), now() + make_interval(hours => $6))
         ON CONFLICT (client_id, key) DO NOTHING
         RETURNING 1 AS inserted`,
        [request.clientId, request.key, request.fingerprint, leaseToken, leaseSeconds, ttlHours],
      );
      if (inserted.length === 1) return claimed(false);

      const outcome = await this.dataSource.transaction(async (manager): Promise<ClaimOutcome | undefined> => {
        // FOR UPDATE: waits for a business transaction completing this key, then sees its result
        const [row] = await manager.query<KeyRow[]>(
          `SELECT fingerprint, status, response_status, response_content_type, response_body,
                  (expires_at <= now() OR (status = 'in-progress' AND locked_until <= now())) AS reclaimable
             FROM idempotency_key WHERE client_id = $1 AND key = $2 FOR UPDATE`,
          [request.clientId, request.key],
        );
        if (!row) return undefined; // released in between: insert again
        if (row.reclaimable) {
          await manager.query(
            `UPDATE idempotency_key
                SET fingerprint = $3, status = 'in-progress', lease_token = $4, locked_until = now() + make_interval(secs => $5),
                    response_status = NULL, response_content_type = NULL, response_body = NULL,
                    created_at = CASE WHEN expires_at <= now() THEN now() ELSE created_at END,
                    expires_at = now() + make_interval(hours => $6)
              WHERE client_id = $1 AND key = $2`,
            [request.clientId, request.key, request.fingerprint, leaseToken, leaseSeconds, ttlHours],
          );
          return claimed(true);
        }
        if (row.fingerprint !== request.fingerprint) return { kind: 'fingerprint-mismatch' };
        if (row.status === 'completed' && row.response_status !== null && row.response_body !== null && row.response_content_type !== null) {
          return { kind: 'replay', response: { status: row.response_status, contentType: row.response_content_type, body: row.response_body } };
        }
        return { kind: 'in-progress' };
      });
      if (outcome) return outcome;
    }
    throw new Error(`idempotency key (${request.clientId}, ${request.key}) kept being released while it was claimed`);
  }

  /** Gives the key back (nothing stored): only an in-progress row under this claim's lease is deleted. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_key WHERE client_id = $1 AND key = $2 AND lease_token = $3 AND status = 'in-progress'`, [
      claim.clientId,
      claim.key,
      claim.leaseToken,
    ]);
  }

  /** Stores a business outcome that has no other effect (e.g. a 409 refusal), in a transaction of its own. */
  async completeAlone(claim: IdempotencyClaim, response: IdempotentResponse): Promise<void> {
    await this.dataSource.transaction((manager) => completeIdempotencyKey(manager, claim, response));
  }

  /** Deletes expired keys in batches (so no long lock): completed ones, and abandoned claims. */
  async purgeExpired(batchSize = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await this.dataSource.query<{ n: number }[]>(
        `WITH gone AS (
           DELETE FROM idempotency_key WHERE ctid IN (
             SELECT ctid FROM idempotency_key
              WHERE expires_at < now() AND (status = 'completed' OR locked_until < now())
              LIMIT $1)
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [batchSize],
      );
      const n = row?.n ?? 0;
      total += n;
      if (n < batchSize) return total;
    }
  }
}
