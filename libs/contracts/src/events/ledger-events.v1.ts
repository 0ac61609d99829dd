import { z } from 'zod';
import { defineEvent } from '../contract';
import { amountMinorSchema, currencySchema } from '../money';

// ledger.events: one event per journal posted, keyed by the order id.

/** The chart of accounts the saga posts to (SPEC §4). */
export const LEDGER_ACCOUNTS = ['processor_receivable', 'customer_clearing', 'merchant_payable', 'cash', 'fees'] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/** What a journal records: capture, dispatch, refund reversal, settlement by the processor. */
export const JOURNAL_KINDS = ['CAPTURE', 'DISPATCH', 'REFUND_REVERSAL', 'SETTLEMENT'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

const posting = z.object({ account: z.enum(LEDGER_ACCOUNTS), side: z.enum(['DEBIT', 'CREDIT']), amount: amountMinorSchema });

export const LedgerEntryPostedV1 = defineEvent({
  type: 'LedgerEntryPosted',
  version: 1,
  aggregateType: 'ledger',
  summary: 'A balanced journal was posted: its debits equal its credits, in one currency.',
  schema: z.object({
    journalId: z.uuid(),
    orderId: z.uuid(),
    paymentId: z.uuid().optional(),
    kind: z.enum(JOURNAL_KINDS),
    currency: currencySchema,
    /** The sum of the debits (= the sum of the credits). */
    amount: amountMinorSchema,
    postings: z.array(posting).min(2),
    /** The event that caused the journal; one journal per triggering fact. */
    sourceEventId: z.uuid(),
    postedAt: z.iso.datetime({ offset: true }),
  }),
  example: {
    journalId: '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    kind: 'CAPTURE',
    currency: 'EUR',
    amount: 2500,
    postings: [
      { account: 'processor_receivable', side: 'DEBIT', amount: 2500 },
      { account: 'customer_clearing', side: 'CREDIT', amount: 2500 },
    ],
    sourceEventId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
    postedAt: '2026-11-22T10:00:03.200Z',
  },
});
export type LedgerEntryPostedV1 = z.output<typeof LedgerEntryPostedV1.schema>;
