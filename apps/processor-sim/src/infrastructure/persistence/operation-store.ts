import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OperationName } from '../../domain/operation';

/** An executed request under its (client, Idempotency-Key): what it was, and the exact response it got. */
export interface StoredOperation {
  idempotencyKey: string;
  operation: OperationName;
  fingerprint: string;
  reference: string;
  authorisationId: string;
  objectId: string | null;
  responseStatus: number;
  responseBody: string;
  createdAt: Date;
}

interface OperationRow {
  idempotency_key: string;
  operation: OperationName;
  fingerprint: string;
  reference: string;
  authorisation_id: string;
  object_id: string | null;
  response_status: number;
  response_body: string;
  created_at: Date;
}

const toOperation = (r: OperationRow): StoredOperation => ({
  idempotencyKey: r.idempotency_key,
  operation: r.operation,
  fingerprint: r.fingerprint,
  reference: r.reference,
  authorisationId: r.authorisation_id,
  objectId: r.object_id,
  responseStatus: r.response_status,
  responseBody: r.response_body,
  createdAt: r.created_at,
});

/**
 * The processor's own idempotency records (its `operations` table), in the caller's transaction:
 * an operation's records, its stored response and its webhook commit together.
 */
@Injectable()
export class OperationStore {
  /**
   * Claims (client, key) for the rest of the transaction, or answers false at once when another
   * transaction holds it: that request is still executing. A 64-bit key derived from both parts.
   */
  async tryLockKey(manager: EntityManager, clientId: string, key: string): Promise<boolean> {
    const rows = await manager.query<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock(('x' || substr(md5($1 || chr(10) || $2), 1, 16))::bit(64)::bigint) AS locked`, [
      clientId,
      key,
    ]);
    return rows[0]?.locked === true;
  }

  async find(manager: EntityManager, clientId: string, key: string): Promise<StoredOperation | undefined> {
    const rows = await manager.query<OperationRow[]>('SELECT * FROM operations WHERE client_id = $1 AND idempotency_key = $2', [clientId, key]);
    return rows[0] ? toOperation(rows[0]) : undefined;
  }

  async insert(manager: EntityManager, clientId: string, op: StoredOperation): Promise<void> {
    await manager.query(
      `INSERT INTO operations (client_id, idempotency_key, operation, fingerprint, reference, authorisation_id, object_id, response_status, response_body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [clientId, op.idempotencyKey, op.operation, op.fingerprint, op.reference, op.authorisationId, op.objectId, op.responseStatus, op.responseBody, op.createdAt],
    );
  }

  async ofReference(manager: EntityManager, reference: string): Promise<StoredOperation[]> {
    const rows = await manager.query<OperationRow[]>('SELECT * FROM operations WHERE reference = $1 ORDER BY id', [reference]);
    return rows.map(toOperation);
  }
}
