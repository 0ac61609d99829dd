import { JournalKind, LedgerAccount, MAX_AMOUNT_MINOR } from '@paystate/contracts';

export type Side = 'DEBIT' | 'CREDIT';

/** One line of a journal: an amount (minor units, > 0) on one side of one account, in one currency. */
export interface Posting {
  account: LedgerAccount;
  side: Side;
  amount: number;
  currency: string;
}

/** A balanced set of postings recording one fact. Immutable once posted; corrections are new journals. */
export interface Journal {
  id: string;
  /** One journal per triggering fact, e.g. `CAPTURE:<paymentId>`. */
  key: string;
  kind: JournalKind;
  orderId: string;
  paymentId: string | undefined;
  currency: string;
  /** The sum of the debits, which equals the sum of the credits. */
  amount: number;
  postings: Posting[];
  sourceEventId: string;
  sourceEventType: string;
  postedAt: Date;
}

export type JournalDraft = Omit<Journal, 'currency' | 'amount'>;

export type RejectionReason =
  | 'unbalanced'
  | 'mixed-currency'
  | 'invalid-amount'
  | 'currency-mismatch'
  | 'exceeds-captured'
  | 'not-captured'
  | 'settlement-mismatch';

/** A fact or journal the ledger refuses: a broken invariant, never retried into success. */
export interface Rejection {
  outcome: 'rejected';
  reason: RejectionReason;
  detail: string;
}

export const reject = (reason: RejectionReason, detail: string): Rejection => ({ outcome: 'rejected', reason, detail });
export const isRejection = (value: object): value is Rejection => 'outcome' in value && value.outcome === 'rejected';

/**
 * Which side an account normally carries its balance on. Assets and expenses (what the processor owes
 * us, cash, fees paid) are debit-normal; liabilities (what we hold for the customer, what we owe the
 * merchant) are credit-normal. A balance is reported positive on the normal side.
 */
export const NORMAL_SIDE: Readonly<Record<LedgerAccount, Side>> = {
  processor_receivable: 'DEBIT',
  cash: 'DEBIT',
  fees: 'DEBIT',
  customer_clearing: 'CREDIT',
  merchant_payable: 'CREDIT',
};

export const balanceOf = (account: LedgerAccount, debits: number, credits: number): number =>
  NORMAL_SIDE[account] === 'DEBIT' ? debits - credits : credits - debits;

const validAmount = (amount: number): boolean => Number.isInteger(amount) && amount > 0 && amount <= MAX_AMOUNT_MINOR;

/** Checks the double-entry rules and completes the draft: positive amounts, one currency, debits = credits. */
export function balancedJournal(draft: JournalDraft): Journal | Rejection {
  const bad = draft.postings.find((p) => !validAmount(p.amount));
  if (bad) return reject('invalid-amount', `posting ${bad.side} ${bad.account} has amount ${bad.amount}: amounts are positive integers in minor units`);
  const currencies = [...new Set(draft.postings.map((p) => p.currency))];
  if (currencies.length > 1) return reject('mixed-currency', `journal ${draft.key} mixes ${currencies.join(', ')}: one currency per journal`);
  const total = (side: Side) => draft.postings.filter((p) => p.side === side).reduce((sum, p) => sum + p.amount, 0);
  const debits = total('DEBIT');
  const credits = total('CREDIT');
  if (debits === 0 || credits === 0 || debits !== credits) {
    return reject('unbalanced', `journal ${draft.key} does not balance: debits ${debits}, credits ${credits}`);
  }
  return { ...draft, currency: currencies[0]!, amount: debits };
}
