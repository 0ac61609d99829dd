import { Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { LedgerEntryPostedV1 } from '@paystate/contracts';
import { derivedId } from '@paystate/messaging';
import type { Journal, Rejection } from '../domain/journal';
import { LedgerFact, OrderLedger, decide, evolve, journalKeyOf, orderLedgerFrom } from '../domain/order-ledger';
import { FactOutcome, LedgerStore } from '../infrastructure/persistence/ledger-store';

/** Emits one LedgerEntryPosted in the transaction that posted its journal. */
export type EmitJournal = (payload: LedgerEntryPostedV1, journal: Journal) => void | Promise<void>;

/** What a fact did: its journal, or why there is none. A rejection is the caller's to map (dead letter, 422…). */
export type RecordResult =
  | { outcome: 'posted'; journal: Journal; released: Journal[] }
  | { outcome: 'parked' | 'duplicate' | 'nothing-to-move'; detail: string }
  | Rejection;

/** What caused the recording: the consumed event (or the settlement report line) and when. */
export interface RecordCause {
  eventId: string;
  now: Date;
}

const facts =
  (register.getSingleMetric('paystate_ledger_facts_total') as Counter<'outcome'> | undefined) ??
  new Counter({ name: 'paystate_ledger_facts_total', help: 'Facts the ledger was told, by outcome (POSTED, PARKED, DUPLICATE, …)', labelNames: ['outcome'] });
const journals =
  (register.getSingleMetric('paystate_ledger_journals_posted_total') as Counter<'kind'> | undefined) ??
  new Counter({ name: 'paystate_ledger_journals_posted_total', help: 'Journals posted, by kind', labelNames: ['kind'] });

/**
 * A journal's id derives from the fact it books (its source event and its journal key), not from
 * the event being handled: a parked refund released by a capture gets the id it would have had
 * if posted at once, and a replay of either event re-creates the same journal (and the same
 * LedgerEntryPosted id, which is the journal id). See ADR 0014.
 */
export const journalIdOf = (fact: Pick<LedgerFact, 'sourceEventId'>, journalKey: string): string => derivedId('ledger-service.journal', fact.sourceEventId, journalKey);

export const ledgerEntryPosted = (journal: Journal): LedgerEntryPostedV1 => ({
  journalId: journal.id,
  orderId: journal.orderId,
  ...(journal.paymentId !== undefined ? { paymentId: journal.paymentId } : {}),
  kind: journal.kind,
  currency: journal.currency,
  amount: journal.amount,
  postings: journal.postings.map((p) => ({ account: p.account, side: p.side, amount: p.amount })),
  sourceEventId: journal.sourceEventId,
  postedAt: journal.postedAt.toISOString(),
});

/**
 * Records one fact in the books of its order, inside the caller's transaction: lock the order, fold
 * its journals into the current state, decide, then post (journal + postings + LedgerEntryPosted),
 * park, or note why nothing is posted. A posted capture releases the order's parked facts.
 */
@Injectable()
export class OrderJournals {
  private readonly logger = new Logger(OrderJournals.name);

  constructor(private readonly store: LedgerStore) {}

  async record(manager: EntityManager, fact: LedgerFact, cause: RecordCause, emit: EmitJournal): Promise<RecordResult> {
    await this.store.lockOrder(manager, fact.orderId);
    const state = orderLedgerFrom(fact.orderId, await this.store.journalsOfOrder(manager, fact.orderId));
    const key = journalKeyOf(fact);
    const decision = decide(state, fact, { journalId: journalIdOf(fact, key), postedAt: cause.now });
    switch (decision.outcome) {
      case 'post': {
        if (!(await this.post(manager, decision.journal, 'POSTED', cause, emit))) return this.duplicate(manager, fact, key, cause, 'a concurrent transaction journaled it first');
        const released = decision.journal.kind === 'CAPTURE' ? await this.releaseParked(manager, evolve(state, decision.journal), cause, emit) : [];
        return { outcome: 'posted', journal: decision.journal, released };
      }
      case 'park': {
        // the same fact told twice while it waits: parked once
        if (!(await this.store.park(manager, fact, key, cause.now))) return this.duplicate(manager, fact, key, cause, `${key} is already parked`);
        await this.note(manager, fact, key, 'PARKED', cause, decision.detail);
        this.logger.warn({ orderId: fact.orderId, eventId: fact.sourceEventId, journalKey: key }, `parked: ${decision.detail}`);
        return { outcome: 'parked', detail: decision.detail };
      }
      case 'duplicate':
        return this.duplicate(manager, fact, key, cause, decision.detail);
      case 'nothing-to-move':
        await this.note(manager, fact, key, 'NOTHING_TO_MOVE', cause, decision.detail);
        this.logger.warn({ orderId: fact.orderId, eventId: fact.sourceEventId, journalKey: key }, decision.detail);
        return { outcome: 'nothing-to-move', detail: decision.detail };
      case 'rejected':
        facts.inc({ outcome: 'REJECTED' });
        return decision;
    }
  }

  /**
   * The capture a parked refund or dispatch waited for is in: decide each again, oldest first. A parked
   * fact that now breaks an invariant is marked REJECTED and logged at error level (it must reach a
   * person), not thrown: the capture that released it is itself fine.
   */
  private async releaseParked(manager: EntityManager, afterCapture: OrderLedger, cause: RecordCause, emit: EmitJournal): Promise<Journal[]> {
    let state = afterCapture;
    const released: Journal[] = [];
    for (const parked of await this.store.waitingFacts(manager, state.orderId)) {
      const decision = decide(state, parked.fact, { journalId: journalIdOf(parked.fact, parked.journalKey), postedAt: cause.now });
      switch (decision.outcome) {
        case 'park':
          break; // waits for another payment's capture
        case 'post':
          if (await this.post(manager, decision.journal, 'RELEASED', cause, emit)) {
            await this.store.resolveParked(manager, parked.sourceEventId, 'RELEASED', cause.eventId, cause.now);
            state = evolve(state, decision.journal);
            released.push(decision.journal);
          } else {
            await this.store.resolveParked(manager, parked.sourceEventId, 'DISCARDED', cause.eventId, cause.now);
          }
          break;
        case 'duplicate':
        case 'nothing-to-move':
          await this.store.resolveParked(manager, parked.sourceEventId, 'DISCARDED', cause.eventId, cause.now);
          await this.note(manager, parked.fact, parked.journalKey, decision.outcome === 'duplicate' ? 'DUPLICATE' : 'NOTHING_TO_MOVE', cause, decision.detail);
          break;
        case 'rejected':
          await this.store.resolveParked(manager, parked.sourceEventId, 'REJECTED', cause.eventId, cause.now);
          await this.note(manager, parked.fact, parked.journalKey, 'REJECTED', cause, decision.detail);
          this.logger.error({ orderId: state.orderId, eventId: parked.sourceEventId, journalKey: parked.journalKey, reason: decision.reason }, `parked fact rejected: ${decision.detail}`);
          break;
      }
    }
    return released;
  }

  private async post(manager: EntityManager, journal: Journal, outcome: 'POSTED' | 'RELEASED', cause: RecordCause, emit: EmitJournal): Promise<boolean> {
    if (!(await this.store.insertJournal(manager, journal))) return false;
    await emit(ledgerEntryPosted(journal), journal);
    await this.store.logOutcome(manager, { fact: factOfJournal(journal), journalKey: journal.key, outcome, journalId: journal.id, causeEventId: cause.eventId, at: cause.now });
    facts.inc({ outcome });
    journals.inc({ kind: journal.kind });
    this.logger.log({ orderId: journal.orderId, journalId: journal.id, journalKey: journal.key, eventId: journal.sourceEventId, amount: journal.amount, currency: journal.currency }, `journal ${journal.kind} posted`);
    return true;
  }

  private async duplicate(manager: EntityManager, fact: LedgerFact, key: string, cause: RecordCause, detail: string): Promise<RecordResult> {
    await this.note(manager, fact, key, 'DUPLICATE', cause, detail);
    this.logger.warn({ orderId: fact.orderId, eventId: fact.sourceEventId, journalKey: key }, `duplicate fact, no second journal: ${detail}`);
    return { outcome: 'duplicate', detail };
  }

  private async note(manager: EntityManager, fact: Pick<LedgerFact, 'orderId' | 'sourceEventId' | 'sourceEventType'>, key: string, outcome: FactOutcome, cause: RecordCause, detail: string): Promise<void> {
    facts.inc({ outcome });
    await this.store.logOutcome(manager, { fact, journalKey: key, outcome, causeEventId: cause.eventId, detail, at: cause.now });
  }
}

/** The outcome log is keyed by the fact; a journal carries everything of it the log needs. */
const factOfJournal = (j: Journal): Pick<LedgerFact, 'orderId' | 'sourceEventId' | 'sourceEventType'> => ({ orderId: j.orderId, sourceEventId: j.sourceEventId, sourceEventType: j.sourceEventType });
