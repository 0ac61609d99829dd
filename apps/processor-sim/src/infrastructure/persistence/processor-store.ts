import type { EntityManager } from 'typeorm';
import type { Authorisation, AuthorisationStatus } from '../../domain/authorisation';
import type { OperationName } from '../../domain/operation';
import type { Discrepancy, DiscrepancyKind, SettledMovement, SettlementLineType } from '../../domain/settlement';
import type { DeliveryStatus } from '../../domain/webhook-event';

// The SQL of the processor's store. Every function takes the EntityManager of the caller's
// transaction, so an operation's records, its idempotency row and its webhook commit together.

const num = (v: string | number | null): number => Number(v ?? 0);
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/** TypeORM answers an UPDATE (and DELETE) with [rows, affected] instead of the rows alone. */
async function updateReturning<T>(manager: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const [rows]: [T[], number] = await manager.query(sql, params);
  return rows;
}

// ------------------------------------------------------------------ idempotency (operations)

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
 * Claims (client, key) for the rest of the transaction, or answers false at once when another
 * transaction holds it: that request is still executing. A 64-bit key derived from both parts.
 */
export async function tryLockIdempotencyKey(manager: EntityManager, clientId: string, key: string): Promise<boolean> {
  const rows: { locked: boolean }[] = await manager.query(
    `SELECT pg_try_advisory_xact_lock(('x' || substr(md5($1 || chr(10) || $2), 1, 16))::bit(64)::bigint) AS locked`,
    [clientId, key],
  );
  return rows[0]?.locked === true;
}

export async function findOperation(manager: EntityManager, clientId: string, key: string): Promise<StoredOperation | undefined> {
  const rows: OperationRow[] = await manager.query('SELECT * FROM operations WHERE client_id = $1 AND idempotency_key = $2', [clientId, key]);
  return rows[0] ? toOperation(rows[0]) : undefined;
}

export async function insertOperation(manager: EntityManager, clientId: string, op: StoredOperation): Promise<void> {
  await manager.query(
    `INSERT INTO operations (client_id, idempotency_key, operation, fingerprint, reference, authorisation_id, object_id, response_status, response_body, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [clientId, op.idempotencyKey, op.operation, op.fingerprint, op.reference, op.authorisationId, op.objectId, op.responseStatus, op.responseBody, op.createdAt],
  );
}

export async function operationsOfReference(manager: EntityManager, reference: string): Promise<StoredOperation[]> {
  const rows: OperationRow[] = await manager.query('SELECT * FROM operations WHERE reference = $1 ORDER BY id', [reference]);
  return rows.map(toOperation);
}

// ------------------------------------------------------------------ authorisations

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

export async function insertAuthorisation(manager: EntityManager, auth: Authorisation, operationKey: string): Promise<void> {
  await manager.query(
    `INSERT INTO authorisations (id, reference, payment_method, amount, currency, status, decline_code, captured_amount, refunded_amount, operation_key, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
    [auth.id, auth.reference, auth.paymentMethod, auth.amount, auth.currency, auth.status, auth.declineCode, auth.capturedAmount, auth.refundedAmount, operationKey, auth.createdAt],
  );
}

/** Locks the authorisation for the rest of the transaction: capture, void and refund of one authorisation run one at a time. */
export async function lockAuthorisation(manager: EntityManager, id: string): Promise<Authorisation | undefined> {
  const rows: AuthorisationRow[] = await manager.query('SELECT * FROM authorisations WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] ? toAuthorisation(rows[0]) : undefined;
}

/** A guarded transition: it applies only if the status is still the one the decision was made on. */
export async function updateAuthorisation(manager: EntityManager, from: AuthorisationStatus, next: Authorisation, at: Date): Promise<void> {
  const [, affected]: [unknown, number] = await manager.query(
    `UPDATE authorisations SET status = $3, captured_amount = $4, refunded_amount = $5, updated_at = $6 WHERE id = $1 AND status = $2`,
    [next.id, from, next.status, next.capturedAmount, next.refundedAmount, at],
  );
  if (affected !== 1) throw new Error(`authorisation ${next.id} is no longer ${from}`);
}

export async function authorisationsOfReference(manager: EntityManager, reference: string): Promise<Authorisation[]> {
  const rows: AuthorisationRow[] = await manager.query('SELECT * FROM authorisations WHERE reference = $1 ORDER BY created_at, id', [reference]);
  return rows.map(toAuthorisation);
}

export async function findAuthorisation(manager: EntityManager, id: string): Promise<Authorisation | undefined> {
  const rows: AuthorisationRow[] = await manager.query('SELECT * FROM authorisations WHERE id = $1', [id]);
  return rows[0] ? toAuthorisation(rows[0]) : undefined;
}

// ------------------------------------------------------------------ captures, voids, refunds

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

export async function insertMovement(manager: EntityManager, table: MovementTable, m: MovementRecord): Promise<void> {
  await manager.query(
    `INSERT INTO ${table} (id, authorisation_id, reference, amount, currency, status, operation_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [m.id, m.authorisationId, m.reference, m.amount, m.currency, m.status, m.operationKey, m.createdAt],
  );
}

export async function movementsOf(manager: EntityManager, table: MovementTable, authorisationIds: string[]): Promise<MovementRecord[]> {
  if (authorisationIds.length === 0) return [];
  const rows: MovementRow[] = await manager.query(`SELECT * FROM ${table} WHERE authorisation_id = ANY($1) ORDER BY created_at, id`, [authorisationIds]);
  return rows.map(toMovement);
}

/** Succeeded captures and refunds created on a UTC day, in the order they happened. */
export async function settledMovementsOn(manager: EntityManager, date: string): Promise<SettledMovement[]> {
  const rows: (MovementRow & { type: SettlementLineType })[] = await manager.query(
    `SELECT 'capture' AS type, * FROM captures
      WHERE status = 'succeeded' AND created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND created_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
     UNION ALL
     SELECT 'refund' AS type, * FROM refunds
      WHERE status = 'succeeded' AND created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND created_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
     ORDER BY created_at, id`,
    [date],
  );
  return rows.map((r) => ({ id: r.id, type: r.type, reference: r.reference, authorisationId: r.authorisation_id, amount: num(r.amount), currency: r.currency }));
}

/** Counts of what happened for a reference: the ground truth tests assert on. */
export async function recordCounts(manager: EntityManager, reference: string): Promise<Record<string, number>> {
  const rows: { what: string; n: string }[] = await manager.query(
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

// ------------------------------------------------------------------ settlement discrepancies

export interface StoredDiscrepancy {
  id: string;
  date: string;
  discrepancy: Discrepancy;
  createdAt: Date;
}

export async function insertDiscrepancy(manager: EntityManager, d: StoredDiscrepancy): Promise<void> {
  await manager.query('INSERT INTO settlement_discrepancies (id, settlement_date, kind, details, created_at) VALUES ($1, $2, $3, $4, $5)', [
    d.id,
    d.date,
    d.discrepancy.kind,
    JSON.stringify(d.discrepancy),
    d.createdAt,
  ]);
}

export async function discrepanciesOn(manager: EntityManager, date: string): Promise<StoredDiscrepancy[]> {
  const rows: { id: string; kind: DiscrepancyKind; details: Discrepancy; created_at: Date }[] = await manager.query(
    'SELECT id, kind, details, created_at FROM settlement_discrepancies WHERE settlement_date = $1 ORDER BY seq',
    [date],
  );
  return rows.map((r) => ({ id: r.id, date, discrepancy: r.details, createdAt: r.created_at }));
}

// ------------------------------------------------------------------ webhooks

/** The next event number of a reference (1 for its first event); serialises a reference's events. */
export async function nextSequence(manager: EntityManager, reference: string): Promise<number> {
  const rows: { last_sequence: string }[] = await manager.query(
    `INSERT INTO reference_sequences (reference, last_sequence) VALUES ($1, 1)
     ON CONFLICT (reference) DO UPDATE SET last_sequence = reference_sequences.last_sequence + 1
     RETURNING last_sequence`,
    [reference],
  );
  return num(rows[0]?.last_sequence ?? null);
}

export interface NewDelivery {
  eventId: string;
  copy: number;
  eventType: string;
  reference: string;
  sequence: number;
  payload: string;
  status: DeliveryStatus;
  createdAt: Date;
}

export async function insertDelivery(manager: EntityManager, d: NewDelivery): Promise<void> {
  await manager.query(
    `INSERT INTO webhook_deliveries (event_id, copy, event_type, reference, sequence, payload, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
    [d.eventId, d.copy, d.eventType, d.reference, d.sequence, d.payload, d.status, d.createdAt],
  );
}

export interface DeliveryRecord {
  id: number;
  eventId: string;
  copy: number;
  eventType: string;
  reference: string;
  sequence: number;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  copy: number;
  event_type: string;
  reference: string;
  sequence: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: num(r.id),
  eventId: r.event_id,
  copy: r.copy,
  eventType: r.event_type,
  reference: r.reference,
  sequence: num(r.sequence),
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: iso(r.next_attempt_at) ?? '',
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: iso(r.created_at) ?? '',
  deliveredAt: iso(r.delivered_at),
});

export async function deliveriesOfReference(manager: EntityManager, reference: string): Promise<DeliveryRecord[]> {
  const rows: DeliveryRow[] = await manager.query('SELECT * FROM webhook_deliveries WHERE reference = $1 ORDER BY id', [reference]);
  return rows.map(toDelivery);
}

/**
 * Claims up to `limit` due deliveries for `leaseMs` (SKIP LOCKED: several instances never claim the
 * same one), oldest first. A claimed delivery that is never settled (a crash) is due again after the lease.
 */
export async function claimDueDeliveries(manager: EntityManager, now: Date, leaseMs: number, limit: number): Promise<DeliveryRecord[]> {
  const rows = await updateReturning<DeliveryRow>(
    manager,
    `WITH due AS (
       SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, id
        LIMIT $3
        FOR UPDATE SKIP LOCKED)
     UPDATE webhook_deliveries d SET next_attempt_at = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
       FROM due WHERE d.id = due.id
     RETURNING d.*`,
    [now, leaseMs, limit],
  );
  return rows.map(toDelivery).sort((a, b) => a.id - b.id);
}

/**
 * Claims the held deliveries of every reference that has had no new event for `quietMs`, newest
 * event first: the out-of-order mode's release.
 */
export async function claimHeldDeliveries(manager: EntityManager, now: Date, quietMs: number, leaseMs: number): Promise<DeliveryRecord[]> {
  const rows = await updateReturning<DeliveryRow>(
    manager,
    `WITH quiet AS (
       SELECT reference FROM webhook_deliveries WHERE status = 'held'
        GROUP BY reference HAVING max(created_at) <= $1::timestamptz - make_interval(secs => $2::double precision / 1000)),
     held AS (
       SELECT id FROM webhook_deliveries WHERE status = 'held' AND reference IN (SELECT reference FROM quiet) FOR UPDATE SKIP LOCKED)
     UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = $1::timestamptz + make_interval(secs => $3::double precision / 1000)
       FROM held WHERE d.id = held.id
     RETURNING d.*`,
    [now, quietMs, leaseMs],
  );
  return rows.map(toDelivery).sort((a, b) => (a.reference === b.reference ? b.sequence - a.sequence || a.copy - b.copy : a.reference < b.reference ? -1 : 1));
}

export async function settleDelivery(
  manager: EntityManager,
  id: number,
  result: { status: 'delivered' | 'pending' | 'failed'; attempts: number; nextAttemptAt: Date; lastStatus: number | null; lastError: string | null; deliveredAt: Date | null },
): Promise<void> {
  await manager.query(
    `UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_status = $5, last_error = $6, delivered_at = $7 WHERE id = $1`,
    [id, result.status, result.attempts, result.nextAttemptAt, result.lastStatus, result.lastError, result.deliveredAt],
  );
}
