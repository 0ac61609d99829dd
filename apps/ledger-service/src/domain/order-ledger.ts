import { Journal, JournalDraft, Posting, Rejection, balancedJournal, isRejection, reject } from './journal';

// The ledger of one order: which facts it has journaled, and what of the order's money sits where.
// decide(state, fact) → what to post; evolve(state, journal) → the state after posting it.

interface FactSource {
  orderId: string;
  currency: string;
  sourceEventId: string;
  sourceEventType: string;
}

/** The facts the ledger journals (SPEC §4 steps 5, 7, 10 and C4). */
export type LedgerFact =
  | (FactSource & { kind: 'captured'; paymentId: string; amount: number })
  | (FactSource & { kind: 'dispatched'; shipmentId: string; amount: number })
  | (FactSource & { kind: 'refunded'; paymentId: string; refundId: string; amount: number })
  | (FactSource & { kind: 'settled'; paymentId: string; gross: number; fee: number; net: number });

/** What one payment of the order has been through, in minor units of the order's currency. */
export interface PaymentPosition {
  captured: number;
  refunded: number;
  settled: number;
}

export interface OrderLedger {
  orderId: string;
  /** Set by the first capture: every later journal of the order must be in it. */
  currency: string | undefined;
  journalKeys: ReadonlySet<string>;
  payments: Readonly<Record<string, PaymentPosition>>;
  /** The order's credit balance in customer_clearing: captured, not yet shipped or refunded. */
  clearing: number;
  /** The order's credit balance in merchant_payable: shipped, owed to the merchant. */
  payable: number;
}

export type Decision =
  | { outcome: 'post'; journal: Journal }
  /** The fact implies a capture the ledger has not journaled yet: keep it until the capture arrives. */
  | { outcome: 'park'; detail: string }
  | { outcome: 'duplicate'; detail: string }
  /** Nothing of the order is left where the fact would move it from (already refunded); no journal. */
  | { outcome: 'nothing-to-move'; detail: string }
  | Rejection;

/** Ids and time come from outside: the journal id to use and when it is posted. */
export interface PostingContext {
  journalId: string;
  postedAt: Date;
}

export const emptyOrderLedger = (orderId: string): OrderLedger => ({
  orderId,
  currency: undefined,
  journalKeys: new Set(),
  payments: {},
  clearing: 0,
  payable: 0,
});

/** One journal per triggering fact: the key the database keeps unique. */
export function journalKeyOf(fact: LedgerFact): string {
  switch (fact.kind) {
    case 'captured':
      return `CAPTURE:${fact.paymentId}`;
    case 'dispatched':
      return `DISPATCH:${fact.shipmentId}`;
    case 'refunded':
      return `REFUND:${fact.refundId}`;
    case 'settled':
      return `SETTLEMENT:${fact.paymentId}`;
  }
}

const signed = (p: Posting, account: Posting['account']): number => (p.account !== account ? 0 : p.side === 'CREDIT' ? p.amount : -p.amount);
const sumOf = (postings: Posting[], account: Posting['account'], side: Posting['side']): number =>
  postings.filter((p) => p.account === account && p.side === side).reduce((s, p) => s + p.amount, 0);

export function evolve(state: OrderLedger, journal: Journal): OrderLedger {
  const payments = { ...state.payments };
  if (journal.paymentId !== undefined) {
    const current = payments[journal.paymentId] ?? { captured: 0, refunded: 0, settled: 0 };
    const receivableCredit = sumOf(journal.postings, 'processor_receivable', 'CREDIT');
    switch (journal.kind) {
      case 'CAPTURE':
        payments[journal.paymentId] = { ...current, captured: current.captured + sumOf(journal.postings, 'processor_receivable', 'DEBIT') };
        break;
      case 'REFUND_REVERSAL':
        payments[journal.paymentId] = { ...current, refunded: current.refunded + receivableCredit };
        break;
      case 'SETTLEMENT':
        payments[journal.paymentId] = { ...current, settled: current.settled + receivableCredit };
        break;
      case 'DISPATCH':
        break;
    }
  }
  return {
    orderId: state.orderId,
    currency: state.currency ?? journal.currency,
    journalKeys: new Set([...state.journalKeys, journal.key]),
    payments,
    clearing: state.clearing + journal.postings.reduce((s, p) => s + signed(p, 'customer_clearing'), 0),
    payable: state.payable + journal.postings.reduce((s, p) => s + signed(p, 'merchant_payable'), 0),
  };
}

export const orderLedgerFrom = (orderId: string, journals: readonly Journal[]): OrderLedger => journals.reduce(evolve, emptyOrderLedger(orderId));

/** Decides what the fact does to the order's books. */
export function decide(state: OrderLedger, fact: LedgerFact, at: PostingContext): Decision {
  const key = journalKeyOf(fact);
  if (state.journalKeys.has(key)) return { outcome: 'duplicate', detail: `${key} is already journaled` };
  if (state.currency !== undefined && fact.currency !== state.currency) {
    return reject('currency-mismatch', `${key} is in ${fact.currency} but the order's books are in ${state.currency}`);
  }
  const draft = (kind: Journal['kind'], paymentId: string | undefined, lines: [Posting['account'], Posting['side'], number][]): Decision => {
    const journal = balancedJournal({
      id: at.journalId,
      key,
      kind,
      orderId: fact.orderId,
      paymentId,
      // a zero line (nothing to take from that account) is left out rather than posted
      postings: lines.filter(([, , amount]) => amount !== 0).map(([account, side, amount]) => ({ account, side, amount, currency: fact.currency })),
      sourceEventId: fact.sourceEventId,
      sourceEventType: fact.sourceEventType,
      postedAt: at.postedAt,
    } satisfies JournalDraft);
    return isRejection(journal) ? journal : { outcome: 'post', journal };
  };

  switch (fact.kind) {
    case 'captured':
      return draft('CAPTURE', fact.paymentId, [
        ['processor_receivable', 'DEBIT', fact.amount],
        ['customer_clearing', 'CREDIT', fact.amount],
      ]);

    case 'dispatched': {
      if (Object.keys(state.payments).length === 0) return { outcome: 'park', detail: `${key} waits for the order's capture journal` };
      // Only what is still held for the customer moves to the merchant: a refund journaled before the
      // dispatch (cross-topic order) already took its part out of clearing.
      const move = Math.min(fact.amount, Math.max(state.clearing, 0));
      if (move === 0) return { outcome: 'nothing-to-move', detail: `${key}: nothing of the order is left in customer_clearing (refunded before dispatch)` };
      return draft('DISPATCH', undefined, [
        ['customer_clearing', 'DEBIT', move],
        ['merchant_payable', 'CREDIT', move],
      ]);
    }

    case 'refunded': {
      const payment = state.payments[fact.paymentId];
      if (!payment || payment.captured === 0) return { outcome: 'park', detail: `${key} waits for CAPTURE:${fact.paymentId}` };
      const refundable = payment.captured - payment.refunded;
      if (fact.amount > refundable) {
        return reject('exceeds-captured', `${key} refunds ${fact.amount} but only ${refundable} of payment ${fact.paymentId} is left to refund`);
      }
      // The money comes back from wherever the order's share sits: still in clearing, or already moved
      // to merchant_payable by the dispatch journal.
      const fromClearing = Math.min(fact.amount, Math.max(state.clearing, 0));
      return draft('REFUND_REVERSAL', fact.paymentId, [
        ['customer_clearing', 'DEBIT', fromClearing],
        ['merchant_payable', 'DEBIT', fact.amount - fromClearing],
        ['processor_receivable', 'CREDIT', fact.amount],
      ]);
    }

    case 'settled': {
      const payment = state.payments[fact.paymentId];
      if (!payment || payment.captured === 0) return reject('not-captured', `${key}: payment ${fact.paymentId} has no capture journal`);
      if (fact.gross !== fact.net + fact.fee || fact.fee < 0) {
        return reject('settlement-mismatch', `${key}: gross ${fact.gross} is not net ${fact.net} + fee ${fact.fee}`);
      }
      return draft('SETTLEMENT', fact.paymentId, [
        ['cash', 'DEBIT', fact.net],
        ['fees', 'DEBIT', fact.fee],
        ['processor_receivable', 'CREDIT', fact.gross],
      ]);
    }
  }
}
