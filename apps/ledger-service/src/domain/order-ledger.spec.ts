import { Journal, balanceOf, balancedJournal, isRejection } from './journal';
import { deciderSpec } from '@paystate/testing/decider-spec';
import { Decision, LedgerFact, OrderLedger, decide, emptyOrderLedger, evolve, journalKeyOf } from './order-ledger';

const orderId = '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10';
const paymentId = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const postedAt = new Date('2026-11-22T10:00:00.000Z');
let seq = 0;
const at = () => ({ journalId: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`, postedAt });
const source = (type: string) => ({ orderId, currency: 'EUR', sourceEventId: `10000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`, sourceEventType: type });

const captured = (overrides: Partial<Extract<LedgerFact, { kind: 'captured' }>> = {}): LedgerFact => ({ ...source('PaymentCaptured'), kind: 'captured', paymentId, amount: 2500, ...overrides });
const dispatched = (overrides: Partial<Extract<LedgerFact, { kind: 'dispatched' }>> = {}): LedgerFact => ({
  ...source('ShipmentDispatched'),
  kind: 'dispatched',
  shipmentId: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
  amount: 2500,
  ...overrides,
});
const refunded = (overrides: Partial<Extract<LedgerFact, { kind: 'refunded' }>> = {}): LedgerFact => ({
  ...source('PaymentRefunded'),
  kind: 'refunded',
  paymentId,
  refundId: 'ref_1',
  amount: 2500,
  ...overrides,
});
const settled = (overrides: Partial<Extract<LedgerFact, { kind: 'settled' }>> = {}): LedgerFact => ({
  ...source('SettlementReported'),
  kind: 'settled',
  paymentId,
  gross: 2500,
  fee: 75,
  net: 2425,
  ...overrides,
});

function posted(decision: Decision): Journal {
  if (decision.outcome !== 'post') throw new Error(`expected a journal, got ${JSON.stringify(decision)}`);
  return decision.journal;
}
/** given: the facts already journaled, in order (each must have posted its journal, as in the service). */
const ledger = deciderSpec<OrderLedger, LedgerFact, Decision>({
  decide: (state, fact) => decide(state, fact, at()),
  evolve: (state, decision) => evolve(state, posted(decision)),
  initialState: () => emptyOrderLedger(orderId),
});
const lines = (decision: Decision) => posted(decision).postings.map((p) => [p.side, p.account, p.amount]);

describe('order ledger', () => {
  describe('given nothing journaled for the order', () => {
    it('when PaymentCaptured, then CAPTURE: Dr processor_receivable / Cr customer_clearing', () => {
      const { decision } = ledger.given().when(captured());
      expect(posted(decision)).toMatchObject({ kind: 'CAPTURE', key: `CAPTURE:${paymentId}`, paymentId, currency: 'EUR', amount: 2500 });
      expect(lines(decision)).toEqual([
        ['DEBIT', 'processor_receivable', 2500],
        ['CREDIT', 'customer_clearing', 2500],
      ]);
    });

    it('when ShipmentDispatched arrives first (cross-topic order), then it is parked until the capture', () => {
      ledger.given().when(dispatched()).thenMatches({ outcome: 'park' });
    });

    it('when PaymentRefunded arrives first, then it is parked until its capture', () => {
      ledger.given().when(refunded()).thenMatches({ outcome: 'park' });
    });

    it('when a settlement is reported, then it is refused: nothing was captured', () => {
      ledger.given().when(settled()).thenMatches({ outcome: 'rejected', reason: 'not-captured' });
    });
  });

  describe('given the capture is journaled', () => {
    it('when the same capture is told again under another event id, then it is a duplicate', () => {
      ledger.given(captured()).when(captured()).thenMatches({ outcome: 'duplicate' });
    });

    it('when ShipmentDispatched, then DISPATCH: Dr customer_clearing / Cr merchant_payable', () => {
      const { decision } = ledger.given(captured()).when(dispatched());
      expect(posted(decision)).toMatchObject({ kind: 'DISPATCH', key: 'DISPATCH:1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b', amount: 2500 });
      expect(lines(decision)).toEqual([
        ['DEBIT', 'customer_clearing', 2500],
        ['CREDIT', 'merchant_payable', 2500],
      ]);
    });

    it('when PaymentRefunded before any dispatch (C4), then REFUND_REVERSAL: Dr customer_clearing / Cr processor_receivable', () => {
      const { decision } = ledger.given(captured()).when(refunded());
      expect(posted(decision)).toMatchObject({ kind: 'REFUND_REVERSAL', key: 'REFUND:ref_1', amount: 2500 });
      expect(lines(decision)).toEqual([
        ['DEBIT', 'customer_clearing', 2500],
        ['CREDIT', 'processor_receivable', 2500],
      ]);
    });

    it('when a refund exceeds what is left of the payment, then it is refused', () => {
      ledger
        .given(captured(), refunded({ refundId: 'ref_a', amount: 2000 }))
        .when(refunded({ refundId: 'ref_b', amount: 600 }))
        .thenMatches({ outcome: 'rejected', reason: 'exceeds-captured' });
    });

    it('when a fact comes in another currency than the order, then it is refused', () => {
      ledger.given(captured()).when(dispatched({ currency: 'USD' })).thenMatches({ outcome: 'rejected', reason: 'currency-mismatch' });
    });

    it('when the processor settles, then SETTLEMENT: Dr cash (net) + Dr fees (fee) / Cr processor_receivable (gross)', () => {
      const { decision } = ledger.given(captured()).when(settled());
      expect(posted(decision)).toMatchObject({ kind: 'SETTLEMENT', key: `SETTLEMENT:${paymentId}`, amount: 2500 });
      expect(lines(decision)).toEqual([
        ['DEBIT', 'cash', 2425],
        ['DEBIT', 'fees', 75],
        ['CREDIT', 'processor_receivable', 2500],
      ]);
    });

    it('when the settlement has no fee, then there is no fees line', () => {
      expect(lines(ledger.given(captured()).when(settled({ fee: 0, net: 2500 })).decision)).toEqual([
        ['DEBIT', 'cash', 2500],
        ['CREDIT', 'processor_receivable', 2500],
      ]);
    });

    it('when gross is not net + fee, then the settlement is refused', () => {
      ledger.given(captured()).when(settled({ net: 2400 })).thenMatches({ outcome: 'rejected', reason: 'settlement-mismatch' });
    });
  });

  describe('given capture and dispatch are journaled', () => {
    it('when PaymentRefunded, then the money comes back from merchant_payable: Dr merchant_payable / Cr processor_receivable', () => {
      expect(lines(ledger.given(captured(), dispatched()).when(refunded()).decision)).toEqual([
        ['DEBIT', 'merchant_payable', 2500],
        ['CREDIT', 'processor_receivable', 2500],
      ]);
    });

    it('when the same dispatch is told again, then it is a duplicate', () => {
      ledger.given(captured(), dispatched()).when(dispatched()).thenMatches({ outcome: 'duplicate' });
    });
  });

  describe('given a partial refund was journaled before the dispatch', () => {
    const partlyRefunded = ledger.given(captured(), refunded({ amount: 1000 }));

    it('when ShipmentDispatched, then only what is left in clearing moves to merchant_payable', () => {
      expect(lines(partlyRefunded.when(dispatched()).decision)).toEqual([
        ['DEBIT', 'customer_clearing', 1500],
        ['CREDIT', 'merchant_payable', 1500],
      ]);
    });

    it('then the order ends in the same place as if the dispatch had come first', () => {
      const a = ledger.given(captured(), refunded({ amount: 1000 }), dispatched()).state;
      const b = ledger.given(captured(), dispatched(), refunded({ amount: 1000 })).state;
      expect([a.clearing, a.payable]).toEqual([b.clearing, b.payable]);
      expect([a.clearing, a.payable]).toEqual([0, 1500]);
    });
  });

  describe('given the whole payment was refunded before the dispatch was journaled', () => {
    it('when ShipmentDispatched, then there is nothing left to move and no journal', () => {
      ledger.given(captured(), refunded()).when(dispatched()).thenMatches({ outcome: 'nothing-to-move' });
    });
  });

  it('journal keys name the triggering fact', () => {
    expect([captured(), dispatched(), refunded(), settled()].map(journalKeyOf)).toEqual([
      `CAPTURE:${paymentId}`,
      'DISPATCH:1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
      'REFUND:ref_1',
      `SETTLEMENT:${paymentId}`,
    ]);
  });
});

describe('balanced journals', () => {
  const draft = {
    id: '00000000-0000-4000-8000-00000000000a',
    key: 'CAPTURE:x',
    kind: 'CAPTURE' as const,
    orderId,
    paymentId,
    sourceEventId: '10000000-0000-4000-8000-00000000000a',
    sourceEventType: 'PaymentCaptured',
    postedAt,
  };

  it('given debits equal to credits in one currency, then the journal is complete with its amount', () => {
    const journal = balancedJournal({
      ...draft,
      postings: [
        { account: 'processor_receivable', side: 'DEBIT', amount: 100, currency: 'EUR' },
        { account: 'customer_clearing', side: 'CREDIT', amount: 100, currency: 'EUR' },
      ],
    });
    expect(journal).toMatchObject({ currency: 'EUR', amount: 100 });
  });

  it('given debits that do not equal credits, then it is refused as unbalanced', () => {
    const journal = balancedJournal({
      ...draft,
      postings: [
        { account: 'processor_receivable', side: 'DEBIT', amount: 100, currency: 'EUR' },
        { account: 'customer_clearing', side: 'CREDIT', amount: 90, currency: 'EUR' },
      ],
    });
    expect(journal).toMatchObject({ outcome: 'rejected', reason: 'unbalanced' });
  });

  it('given postings on one side only, then it is refused as unbalanced', () => {
    expect(balancedJournal({ ...draft, postings: [{ account: 'cash', side: 'DEBIT', amount: 100, currency: 'EUR' }] })).toMatchObject({ reason: 'unbalanced' });
    expect(balancedJournal({ ...draft, postings: [] })).toMatchObject({ reason: 'unbalanced' });
  });

  it('given postings in two currencies, then it is refused as mixed-currency even if the numbers balance', () => {
    const journal = balancedJournal({
      ...draft,
      postings: [
        { account: 'processor_receivable', side: 'DEBIT', amount: 100, currency: 'EUR' },
        { account: 'customer_clearing', side: 'CREDIT', amount: 100, currency: 'USD' },
      ],
    });
    expect(journal).toMatchObject({ outcome: 'rejected', reason: 'mixed-currency' });
  });

  it.each([0, -5, 1.5])('given a posting of %p, then it is refused', (amount) => {
    const journal = balancedJournal({
      ...draft,
      postings: [
        { account: 'processor_receivable', side: 'DEBIT', amount, currency: 'EUR' },
        { account: 'customer_clearing', side: 'CREDIT', amount, currency: 'EUR' },
      ],
    });
    expect(isRejection(journal)).toBe(true);
    expect(journal).toMatchObject({ reason: 'invalid-amount' });
  });

  it('balances are positive on the normal side: debit-normal assets and fees, credit-normal clearing and payable', () => {
    expect(balanceOf('processor_receivable', 2500, 500)).toBe(2000);
    expect(balanceOf('fees', 75, 0)).toBe(75);
    expect(balanceOf('customer_clearing', 500, 2500)).toBe(2000);
    expect(balanceOf('merchant_payable', 0, 2500)).toBe(2500);
  });
});
