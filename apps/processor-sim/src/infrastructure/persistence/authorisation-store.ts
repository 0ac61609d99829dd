import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { guardedUpdate } from '@paystate/persistence';
import type { Authorisation, AuthorisationStatus } from '../../domain/authorisation';
import { num } from './row-values';

/** The three tables of what was done to an authorisation, one row per attempt (failed ones too). */
export type MovementTable = 'captures' | 'voids' | 'refunds';

export interface MovementRecord {
  id: string;
  authorisationId: string;
  reference: string;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed';
  operationKey: string;
  createdAt: Date;
}

interface AuthorisationRow {
  id: string;
  reference: string;
  payment_method: string;
  amount: string;
  currency: string;
  status: AuthorisationStatus;
  decline_code: string | null;
  captured_amount: string;
  refunded_amount: string;
  created_at: Date;
}

interface MovementRow {
  id: string;
  authorisation_id: string;
  reference: string;
  amount: string;
  currency: string;
  status: 'succeeded' | 'failed';
  operation_key: string;
  created_at: Date;
}

const toAuthorisation = (r: AuthorisationRow): Authorisation => ({
  id: r.id,
  reference: r.reference,
  paymentMethod: r.payment_method,
  amount: num(r.amount),
  currency: r.currency,
  status: r.status,
  declineCode: r.decline_code,
  capturedAmount: num(r.captured_amount),
  refundedAmount: num(r.refunded_amount),
  createdAt: r.created_at,
});

const toMovement = (r: MovementRow): MovementRecord => ({
  id: r.id,
  authorisationId: r.authorisation_id,
  reference: r.reference,
  amount: num(r.amount),
  currency: r.currency,
  status: r.status,
  operationKey: r.operation_key,
  createdAt: r.created_at,
});

/** Authorisations and their captures, voids and refunds, in the caller's transaction; with the lookups over them. */
@Injectable()
export class AuthorisationStore {
  async insert(manager: EntityManager, auth: Authorisation, operationKey: string): Promise<void> {
    await manager.query(
      `INSERT INTO authorisations (id, reference, payment_method, amount, currency, status, decline_code, captured_amount, refunded_amount, operation_key, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
      [auth.id, auth.reference, auth.paymentMethod, auth.amount, auth.currency, auth.status, auth.declineCode, auth.capturedAmount, auth.refundedAmount, operationKey, auth.createdAt],
    );
  }

  /** Locks the authorisation for the rest of the transaction: capture, void and refund of one authorisation run one at a time. */
  async lock(manager: EntityManager, id: string): Promise<Authorisation | undefined> {
    const rows = await manager.query<AuthorisationRow[]>('SELECT * FROM authorisations WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] ? toAuthorisation(rows[0]) : undefined;
  }

  /** A guarded transition: it applies only if the status is still the one the decision was made on. */
  async update(manager: EntityManager, from: AuthorisationStatus, next: Authorisation, at: Date): Promise<void> {
    await guardedUpdate(
      manager,
      'UPDATE authorisations SET status = $3, captured_amount = $4, refunded_amount = $5, updated_at = $6 WHERE id = $1 AND status = $2',
      [next.id, from, next.status, next.capturedAmount, next.refundedAmount, at],
      { aggregate: 'authorisation', id: next.id, expected: `is no longer ${from}` },
    );
  }

  async insertMovement(manager: EntityManager, table: MovementTable, m: MovementRecord): Promise<void> {
    await manager.query(`INSERT INTO ${table} (id, authorisation_id, reference, amount, currency, status, operation_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      m.id,
      m.authorisationId,
      m.reference,
      m.amount,
      m.currency,
      m.status,
      m.operationKey,
      m.createdAt,
    ]);
  }

  // ---------------------------------------------------------------- lookups

  async find(manager: EntityManager, id: string): Promise<Authorisation | undefined> {
    const rows = await manager.query<AuthorisationRow[]>('SELECT * FROM authorisations WHERE id = $1', [id]);
    return rows[0] ? toAuthorisation(rows[0]) : undefined;
  }

  async ofReference(manager: EntityManager, reference: string): Promise<Authorisation[]> {
    const rows = await manager.query<AuthorisationRow[]>('SELECT * FROM authorisations WHERE reference = $1 ORDER BY created_at, id', [reference]);
    return rows.map(toAuthorisation);
  }

  async movementsOf(manager: EntityManager, table: MovementTable, authorisationIds: string[]): Promise<MovementRecord[]> {
    if (authorisationIds.length === 0) return [];
    const rows = await manager.query<MovementRow[]>(`SELECT * FROM ${table} WHERE authorisation_id = ANY($1) ORDER BY created_at, id`, [authorisationIds]);
    return rows.map(toMovement);
  }

  /** Counts of what happened for a reference: the ground truth tests assert on. */
  async recordCounts(manager: EntityManager, reference: string): Promise<Record<string, number>> {
    const rows = await manager.query<{ what: string; n: string }[]>(
      `SELECT 'authorisations' AS what, count(*) FILTER (WHERE status <> 'declined') AS n FROM authorisations WHERE reference = $1
       UNION ALL SELECT 'declines', count(*) FILTER (WHERE status = 'declined') FROM authorisations WHERE reference = $1
       UNION ALL SELECT 'captures', count(*) FILTER (WHERE status = 'succeeded') FROM captures WHERE reference = $1
       UNION ALL SELECT 'failedCaptures', count(*) FILTER (WHERE status = 'failed') FROM captures WHERE reference = $1
       UNION ALL SELECT 'voids', count(*) FILTER (WHERE status = 'succeeded') FROM voids WHERE reference = $1
       UNION ALL SELECT 'failedVoids', count(*) FILTER (WHERE status = 'failed') FROM voids WHERE reference = $1
       UNION ALL SELECT 'refunds', count(*) FILTER (WHERE status = 'succeeded') FROM refunds WHERE reference = $1
       UNION ALL SELECT 'failedRefunds', count(*) FILTER (WHERE status = 'failed') FROM refunds WHERE reference = $1`,
      [reference],
    );
    return Object.fromEntries(rows.map((r) => [r.what, num(r.n)]));
  }
}
