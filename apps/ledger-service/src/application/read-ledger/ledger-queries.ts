import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LEDGER_ACCOUNTS, LedgerAccount } from '@paystate/contracts';
import { NORMAL_SIDE, Side, balanceOf } from '../../domain/journal';
import { LedgerStore } from '../../infrastructure/persistence/ledger-store';

export interface AccountBalanceView {
  account: LedgerAccount;
  currency: string;
  debits: number;
  credits: number;
  /** Positive on the account's normal side: debits − credits for debit-normal accounts, credits − debits for credit-normal ones. */
  balance: number;
  normalSide: Side;
}

export interface JournalView {
  id: string;
  journalKey: string;
  kind: string;
  orderId: string;
  paymentId: string | null;
  currency: string;
  amount: number;
  sourceEventId: string;
  sourceEventType: string;
  postedAt: string;
  postings: { account: string; side: Side; amount: number }[];
}

export interface ParkedFactView {
  sourceEventId: string;
  journalKey: string;
  status: string;
  parkedAt: string;
  resolvedAt: string | null;
  resolvedByEventId: string | null;
}

export interface OrderJournalsView {
  orderId: string;
  journals: JournalView[];
  /** Facts that arrived before the capture they imply, and what became of them. */
  parked: ParkedFactView[];
}

export interface TrialBalanceView {
  /** True when every currency balances. */
  balanced: boolean;
  currencies: {
    currency: string;
    accounts: AccountBalanceView[];
    totalDebits: number;
    totalCredits: number;
    /** Total debits = total credits (a zero difference), per currency: amounts of two currencies are never added up. */
    balanced: boolean;
  }[];
}

const view = (account: LedgerAccount, currency: string, debits: number, credits: number): AccountBalanceView => ({
  account,
  currency,
  debits,
  credits,
  balance: balanceOf(account, debits, credits),
  normalSide: NORMAL_SIDE[account],
});

/**
 * Reads of the books. Balances are sums over the (immutable) postings rather than a maintained
 * balance row: nothing can drift from the journals, and posting never contends on a hot row.
 */
@Injectable()
export class LedgerQueries {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource, private readonly store: LedgerStore) {}

  async balance(account: LedgerAccount, currency: string): Promise<AccountBalanceView> {
    const sums = await this.store.accountSums(this.dataSource.manager, account, currency);
    return view(account, currency, sums.debits, sums.credits);
  }

  async journalsOfOrder(orderId: string): Promise<OrderJournalsView> {
    const journals = await this.store.journalsOfOrder(this.dataSource.manager, orderId);
    const parked = await this.store.parkedOfOrder(this.dataSource.manager, orderId);
    return {
      orderId,
      journals: journals.map((j) => ({
        id: j.id,
        journalKey: j.key,
        kind: j.kind,
        orderId: j.orderId,
        paymentId: j.paymentId ?? null,
        currency: j.currency,
        amount: j.amount,
        sourceEventId: j.sourceEventId,
        sourceEventType: j.sourceEventType,
        postedAt: j.postedAt.toISOString(),
        postings: j.postings.map((p) => ({ account: p.account, side: p.side, amount: p.amount })),
      })),
      parked: parked.map((p) => ({
        sourceEventId: p.sourceEventId,
        journalKey: p.journalKey,
        status: p.status,
        parkedAt: p.parkedAt.toISOString(),
        resolvedAt: p.resolvedAt?.toISOString() ?? null,
        resolvedByEventId: p.resolvedByEventId,
      })),
    };
  }

  async trialBalance(onlyCurrency?: string): Promise<TrialBalanceView> {
    const rows = await this.store.postingSums(this.dataSource.manager, onlyCurrency);
    const currencies = [...new Set(rows.map((r) => r.currency))].map((currency) => {
      // every account of the chart, zero when it has no postings, so the shape never depends on the data
      const accounts = LEDGER_ACCOUNTS.map((account) => {
        const row = rows.find((r) => r.currency === currency && r.account === account);
        return view(account, currency, row?.debits ?? 0, row?.credits ?? 0);
      });
      const totalDebits = accounts.reduce((s, a) => s + a.debits, 0);
      const totalCredits = accounts.reduce((s, a) => s + a.credits, 0);
      return { currency, accounts, totalDebits, totalCredits, balanced: totalDebits === totalCredits };
    });
    return { balanced: currencies.every((c) => c.balanced), currencies };
  }
}
