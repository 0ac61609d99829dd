import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { guardedUpdate } from '@paystate/persistence';
import type { JournalKind, LedgerAccount } from '@paystate/contracts';
import type { Journal, Side } from '../../domain/journal';
import type { LedgerFact } from '../../domain/order-ledger';

export type FactOutcome = 'POSTED' | 'PARKED' | 'RELEASED' | 'DUPLICATE' | 'NOTHING_TO_MOVE' | 'REJECTED';
export type ParkedStatus = 'RELEASED' | 'DISCARDED' | 'REJECTED';

export interface ParkedFact {
  sourceEventId: string;
  journalKey: string;
  fact: LedgerFact;
  parkedAt: Date;
}

/** A parked fact as the read side shows it: where it stands, not its payload. */
export interface ParkedFactRecord {
  sourceEventId: string;
  journalKey: string;
  status: string;
  parkedAt: Date;
  resolvedAt: Date | null;
  resolvedByEventId: string | null;
}

/** Sums of the postings of one account in one currency. */
export interface PostingSums {
  currency: string;
  account: LedgerAccount;
  debits: number;
  credits: number;
}

export interface OutcomeRecord {
  fact: Pick<LedgerFact, 'orderId' | 'sourceEventId' | 'sourceEventType'>;
  journalKey: string;
  outcome: FactOutcome;
  journalId?: string | undefined;
  causeEventId: string;
  detail?: string | undefined;
  at: Date;
}

interface JournalRow {
  id: string;
  journal_key: string;
  kind: JournalKind;
  order_id: string;
  payment_id: string | null;
  currency: string;
  amount: string;
  source_event_id: string;
  source_event_type: string;
  posted_at: Date;
}
interface PostingRow {
  journal_id: string;
  account: LedgerAccount;
  side: Side;
  amount: string;
  currency: string;
}

/** Journals, postings and parked facts; every write inside the caller's transaction. */
@Injectable()
export class LedgerStore {
  /**
   * Serialises the facts of one order (they come from two topics, so two partitions may carry them at
   * once): what a refund takes from clearing depends on whether the dispatch journal is in.
   */
  async lockOrder(manager: EntityManager, orderId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ledger-order:' || $1, 0))`, [orderId]);
  }

  /** Debit and credit sums of the postings per currency and account (of one currency, if given). */
  async postingSums(manager: EntityManager, onlyCurrency?: string): Promise<PostingSums[]> {
    const rows = await manager.query<{ currency: string; account: LedgerAccount; debits: string; credits: string }[]>(
      `SELECT currency, account, coalesce(sum(amount) FILTER (WHERE side = 'DEBIT'), 0) AS debits, coalesce(sum(amount) FILTER (WHERE side = 'CREDIT'), 0) AS credits
       FROM posting WHERE ($1::text IS NULL OR currency = $1) GROUP BY currency, account ORDER BY currency`,
      [onlyCurrency ?? null],
    );
    return rows.map((r) => ({ currency: r.currency, account: r.account, debits: Number(r.debits), credits: Number(r.credits) }));
  }

  /** Debit and credit sums of one account in one currency (zero when it has no postings). */
  async accountSums(manager: EntityManager, account: LedgerAccount, currency: string): Promise<PostingSums> {
    const [row] = await manager.query<{ debits: string; credits: string }[]>(
      `SELECT coalesce(sum(amount) FILTER (WHERE side = 'DEBIT'), 0) AS debits, coalesce(sum(amount) FILTER (WHERE side = 'CREDIT'), 0) AS credits
       FROM posting WHERE account = $1 AND currency = $2`,
      [account, currency],
    );
    return { currency, account, debits: Number(row?.debits ?? 0), credits: Number(row?.credits ?? 0) };
  }

  /** The facts parked for an order, oldest first. */
  async parkedOfOrder(manager: EntityManager, orderId: string): Promise<ParkedFactRecord[]> {
    const rows = await manager.query<{ source_event_id: string; journal_key: string; status: string; parked_at: Date; resolved_at: Date | null; resolved_by_event_id: string | null }[]>(
      'SELECT source_event_id, journal_key, status, parked_at, resolved_at, resolved_by_event_id FROM parked_fact WHERE order_id = $1 ORDER BY parked_at, source_event_id',
      [orderId],
    );
    return rows.map((p) => ({
      sourceEventId: p.source_event_id,
      journalKey: p.journal_key,
      status: p.status,
      parkedAt: p.parked_at,
      resolvedAt: p.resolved_at,
      resolvedByEventId: p.resolved_by_event_id,
    }));
  }

  async journalsOfOrder(manager: EntityManager, orderId: string): Promise<Journal[]> {
    const rows = await manager.query<JournalRow[]>('SELECT * FROM journal WHERE order_id = $1 ORDER BY posted_at, position', [orderId]);
    if (rows.length === 0) return [];
    const postings = await manager.query<PostingRow[]>(
      'SELECT journal_id, account, side, amount, currency FROM posting WHERE journal_id = ANY($1::uuid[]) ORDER BY id',
      [rows.map((r) => r.id)],
    );
    return rows.map((r) => ({
      id: r.id,
      key: r.journal_key,
      kind: r.kind,
      orderId: r.order_id,
      paymentId: r.payment_id ?? undefined,
      currency: r.currency,
      amount: Number(r.amount),
      postings: postings
        .filter((p) => p.journal_id === r.id)
        .map((p) => ({ account: p.account, side: p.side, amount: Number(p.amount), currency: p.currency })),
      sourceEventId: r.source_event_id,
      sourceEventType: r.source_event_type,
      postedAt: r.posted_at,
    }));
  }

  /**
   * Inserts the journal and its postings. False when a journal for the same fact (journal_key) or the
   * same source event is already in: the database, not only the caller's read, keeps it to one.
   */
  async insertJournal(manager: EntityManager, journal: Journal): Promise<boolean> {
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO journal (id, journal_key, kind, order_id, payment_id, currency, amount, source_event_id, source_event_type, posted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT DO NOTHING RETURNING id`,
      [journal.id, journal.key, journal.kind, journal.orderId, journal.paymentId ?? null, journal.currency, journal.amount, journal.sourceEventId, journal.sourceEventType, journal.postedAt],
    );
    if (inserted.length === 0) return false;
    const params: unknown[] = [];
    const rows = journal.postings.map((p, i) => {
      params.push(journal.id, p.currency, p.account, p.side, p.amount);
      return `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`;
    });
    await manager.query(`INSERT INTO posting (journal_id, currency, account, side, amount) VALUES ${rows.join(', ')}`, params);
    return true;
  }

  /** False when the same fact (journal_key) or event is already parked. */
  async park(manager: EntityManager, fact: LedgerFact, journalKey: string, now: Date): Promise<boolean> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO parked_fact (source_event_id, journal_key, order_id, fact, status, parked_at)
       VALUES ($1, $2, $3, $4, 'PARKED', $5) ON CONFLICT DO NOTHING RETURNING source_event_id`,
      [fact.sourceEventId, journalKey, fact.orderId, JSON.stringify(fact), now],
    );
    return inserted.length === 1;
  }

  async isParked(manager: EntityManager, journalKey: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(`SELECT 1 FROM parked_fact WHERE journal_key = $1 AND status = 'PARKED'`, [journalKey]);
    return rows.length > 0;
  }

  /** The order's facts still waiting, oldest first, locked for this transaction. */
  async waitingFacts(manager: EntityManager, orderId: string): Promise<ParkedFact[]> {
    const rows = await manager.query<{ source_event_id: string; journal_key: string; fact: LedgerFact; parked_at: Date }[]>(
      `SELECT source_event_id, journal_key, fact, parked_at FROM parked_fact
       WHERE order_id = $1 AND status = 'PARKED' ORDER BY parked_at, source_event_id FOR UPDATE`,
      [orderId],
    );
    // the fact column holds what park() wrote from the same LedgerFact type
    return rows.map((r) => ({ sourceEventId: r.source_event_id, journalKey: r.journal_key, fact: r.fact, parkedAt: r.parked_at }));
  }

  /** Guarded: only a fact still PARKED can be resolved, and only once (one another transaction resolved first is a StaleWriteError, retried). */
  async resolveParked(manager: EntityManager, sourceEventId: string, status: ParkedStatus, causeEventId: string, now: Date): Promise<void> {
    await guardedUpdate(
      manager,
      `UPDATE parked_fact SET status = $2, resolved_at = $3, resolved_by_event_id = $4 WHERE source_event_id = $1 AND status = 'PARKED'`,
      [sourceEventId, status, now, causeEventId],
      { aggregate: 'parked fact', id: sourceEventId, expected: 'is no longer PARKED' },
    );
  }

  async logOutcome(manager: EntityManager, r: OutcomeRecord): Promise<void> {
    await manager.query(
      `INSERT INTO fact_outcome (source_event_id, source_event_type, order_id, journal_key, outcome, journal_id, cause_event_id, detail, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [r.fact.sourceEventId, r.fact.sourceEventType, r.fact.orderId, r.journalKey, r.outcome, r.journalId ?? null, r.causeEventId, r.detail ?? null, r.at],
    );
  }
}
