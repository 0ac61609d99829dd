import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EventContract, PayloadOf, PaymentCapturedV1, PaymentRefundedV1, ShipmentDispatchedV1 } from '@paystate/contracts';
import { failpointsEnv } from '@paystate/failpoints';
import { appendToOutbox } from '@paystate/messaging';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { KafkaTap, apiHeaders, createApiKey, queryAsSuperuser, requestJson, testStack, waitFor } from '@paystate/testing';
import { OrderJournals } from '../src/application/order-journals';
import { PostSettlementJournal } from '../src/application/settlement/post-settlement-journal';
import { LedgerStore } from '../src/infrastructure/persistence/ledger-store';

/**
 * ledger-service on the real stack: PaymentCaptured, ShipmentDispatched and PaymentRefunded are
 * published the way every event is, through a real outbox (order-service's database stands in for
 * the producers) and Debezium; the ledger is observed through its API, its LedgerEntryPosted events
 * on ledger.events and, for the database invariants, SQL run as the service's own role.
 * Other suites write to the same topics: every test uses fresh ids and its own currency, and
 * compares balances before and after rather than absolute figures.
 */
const info = testStack();
const ledgerInfo = info.services['ledger-service']!;
const ledgerDb = ledgerInfo.databaseUrl;
const outbox = new DataSource({ type: 'postgres', url: info.services['order-service']!.databaseUrl, extra: { max: 2 } });
let ledger: ServiceProcess | undefined;
let tap: KafkaTap;
let key: string;

interface Posting { account: string; side: 'DEBIT' | 'CREDIT'; amount: number }
interface JournalView { id: string; journalKey: string; kind: string; amount: number; currency: string; sourceEventId: string; postedAt: string; postings: Posting[] }
interface OrderJournalsView { orderId: string; journals: JournalView[]; parked: { sourceEventId: string; journalKey: string; status: string }[] }
interface Balance { account: string; currency: string; debits: number; credits: number; balance: number }
interface TrialBalance { balanced: boolean; currencies: { currency: string; totalDebits: number; totalCredits: number; balanced: boolean; accounts: Balance[] }[] }

const url = () => ledger!.url;
/** An authenticated GET with the test's key; `null` sends none. */
const get = <T>(path: string, apiKey: string | null = key) => requestJson<T>(`${url()}${path}`, { headers: apiKey !== null ? apiHeaders(apiKey) : {} });

async function publish<C extends EventContract>(contract: C, orderId: string, payload: PayloadOf<C>, id: string = randomUUID()): Promise<string> {
  await outbox.transaction((manager) =>
    appendToOutbox(manager, [{ contract, payload, id, aggregateId: orderId, cause: { correlationId: orderId, causationId: randomUUID() }, occurredAt: new Date() }]),
  );
  return id;
}

const now = () => new Date().toISOString();
const captureOf = (orderId: string, paymentId: string, currency: string, amount = 2500): PaymentCapturedV1 => ({ orderId, paymentId, amount, currency, captureId: `cap_${randomUUID()}`, capturedAt: now() });
const dispatchOf = (orderId: string, currency: string, amount = 2500): ShipmentDispatchedV1 => ({
  orderId,
  shipmentId: randomUUID(),
  carrier: 'paystate-post',
  trackingNumber: `PS${randomUUID().slice(0, 8)}`,
  items: [{ sku: `SKU-${randomUUID()}`, quantity: 1 }],
  amount,
  currency,
  dispatchedAt: now(),
});
const refundOf = (orderId: string, paymentId: string, currency: string, amount = 2500, refundedTotal = amount): PaymentRefundedV1 => ({
  orderId,
  paymentId,
  refundId: `ref_${randomUUID()}`,
  amount,
  refundedTotal,
  currency,
  reason: 'SHIPMENT_FAILED',
  refundedAt: now(),
});

const journalsOf = async (orderId: string): Promise<OrderJournalsView> => (await get<OrderJournalsView>(`/ledger/journals?orderId=${orderId}`)).body;
const journalsReach = (orderId: string, count: number, timeoutMs = 60_000) =>
  waitFor(`${count} journal(s) for order ${orderId}`, async () => {
    const view = await journalsOf(orderId);
    return view.journals.length >= count ? view : undefined;
  }, { timeoutMs });
const parkedReach = (orderId: string, count: number) =>
  waitFor(`${count} parked fact(s) for order ${orderId}`, async () => {
    const view = await journalsOf(orderId);
    return view.parked.filter((p) => p.status === 'PARKED').length >= count ? view : undefined;
  }, { timeoutMs: 60_000 });
const outcomesOf = (sourceEventId: string) =>
  queryAsSuperuser<{ outcome: string; cause_event_id: string }>('paystate_ledger', 'SELECT outcome, cause_event_id FROM fact_outcome WHERE source_event_id = $1 ORDER BY id', [sourceEventId]);

/** The order's net balance per account (credit positive), from its own journals. */
function netOf(view: OrderJournalsView): Record<string, number> {
  const net: Record<string, number> = {};
  for (const p of view.journals.flatMap((j) => j.postings)) net[p.account] = (net[p.account] ?? 0) + (p.side === 'CREDIT' ? p.amount : -p.amount);
  return net;
}
const lines = (j: JournalView | undefined) => j?.postings.map((p) => [p.side, p.account, p.amount]);
const balance = async (account: string, currency: string) => (await get<Balance>(`/ledger/accounts/${account}/balance?currency=${currency}`)).body;
const ledgerEvents = (orderId: string) => tap.matching((r) => r.topic === 'ledger.events' && r.key === orderId).map((r) => JSON.parse(r.value!) as { journalId: string; kind: string; sourceEventId: string });

async function startLedger(extra: Record<string, string> = {}): Promise<ServiceProcess> {
  ledger = await startServiceProcess(info, 'ledger-service', extra);
  return ledger;
}

/** Runs SQL as the service's own role (not the superuser): what the database lets the service do. */
async function asServiceRole(statements: (client: Client) => Promise<void>): Promise<unknown> {
  const client = new Client({ connectionString: ledgerDb });
  await client.connect();
  try {
    await statements(client);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await outbox.initialize();
  tap = await KafkaTap.open(info.kafka.brokers, ['ledger.events']);
  await startLedger();
  key = await createApiKey('ledger-service', { clientId: 'int-ledger', scopes: ['ledger:read'] });
});

afterAll(async () => {
  await ledger?.stop();
  await tap?.close();
  await outbox.destroy();
});

describe('journals from the saga facts', () => {
  it('capture → dispatch → refund: three balanced journals, the refund taken back from merchant_payable, one LedgerEntryPosted each', async () => {
    const currency = 'MNT';
    const before = await Promise.all(['processor_receivable', 'customer_clearing', 'merchant_payable'].map((a) => balance(a, currency)));
    const orderId = randomUUID();
    const paymentId = randomUUID();
    const captureId = await publish(PaymentCapturedV1, orderId, captureOf(orderId, paymentId, currency));
    await journalsReach(orderId, 1);
    await publish(ShipmentDispatchedV1, orderId, dispatchOf(orderId, currency));
    await journalsReach(orderId, 2);
    await publish(PaymentRefundedV1, orderId, refundOf(orderId, paymentId, currency));
    const view = await journalsReach(orderId, 3);

    expect(view.journals.map((j) => j.kind)).toEqual(['CAPTURE', 'DISPATCH', 'REFUND_REVERSAL']);
    expect(view.journals[0]).toMatchObject({ journalKey: `CAPTURE:${paymentId}`, sourceEventId: captureId, amount: 2500, currency });
    expect(lines(view.journals[0])).toEqual([['DEBIT', 'processor_receivable', 2500], ['CREDIT', 'customer_clearing', 2500]]);
    expect(lines(view.journals[1])).toEqual([['DEBIT', 'customer_clearing', 2500], ['CREDIT', 'merchant_payable', 2500]]);
    expect(lines(view.journals[2])).toEqual([['DEBIT', 'merchant_payable', 2500], ['CREDIT', 'processor_receivable', 2500]]);

    const after = await Promise.all(['processor_receivable', 'customer_clearing', 'merchant_payable'].map((a) => balance(a, currency)));
    // the order's money went in and out of every account: each moved by 2500 on both sides, nets unchanged
    after.forEach((b, i) => expect([b.debits - before[i]!.debits, b.credits - before[i]!.credits, b.balance - before[i]!.balance]).toEqual([2500, 2500, 0]));

    const trial = (await get<TrialBalance>('/ledger/trial-balance')).body;
    expect(trial.balanced).toBe(true);
    const mnt = trial.currencies.find((c) => c.currency === currency)!;
    expect(mnt).toMatchObject({ balanced: true });
    expect(mnt.totalDebits).toBe(mnt.totalCredits);

    const events = await tap.waitForRecords('three LedgerEntryPosted', (r) => r.key === orderId, 3);
    expect(events.map((r) => r.headers['eventType'])).toEqual(['LedgerEntryPosted', 'LedgerEntryPosted', 'LedgerEntryPosted']);
    expect(ledgerEvents(orderId).map((e) => [e.kind, e.journalId])).toEqual(view.journals.map((j) => [j.kind, j.id]));
  });

  it('the same event published twice (same event id) makes one journal, and a second event for the same capture makes none', async () => {
    const currency = 'MNT';
    const orderId = randomUUID();
    const paymentId = randomUUID();
    const payload = captureOf(orderId, paymentId, currency);
    const eventId = await publish(PaymentCapturedV1, orderId, payload);
    await publish(PaymentCapturedV1, orderId, payload, eventId);
    const other = await publish(PaymentCapturedV1, orderId, { ...payload, capturedAt: now() });
    // a later fact of the order goes through: the duplicates neither stalled nor dead-lettered the partition
    await publish(ShipmentDispatchedV1, orderId, dispatchOf(orderId, currency));
    const view = await journalsReach(orderId, 2);

    expect(view.journals.map((j) => [j.kind, j.sourceEventId])).toEqual([['CAPTURE', eventId], ['DISPATCH', expect.any(String)]]);
    expect(await outcomesOf(eventId)).toEqual([{ outcome: 'POSTED', cause_event_id: eventId }]);
    expect(await outcomesOf(other)).toEqual([{ outcome: 'DUPLICATE', cause_event_id: other }]);
    await tap.waitForRecords('two LedgerEntryPosted', (r) => r.key === orderId, 2);
    expect(ledgerEvents(orderId).map((e) => e.kind)).toEqual(['CAPTURE', 'DISPATCH']);
  });

  it('a dispatch and a refund that arrive before the capture are parked, then journaled when it comes', async () => {
    const currency = 'MNT';
    const orderId = randomUUID();
    const paymentId = randomUUID();
    const dispatchId = await publish(ShipmentDispatchedV1, orderId, dispatchOf(orderId, currency));
    await parkedReach(orderId, 1);
    const refundId = await publish(PaymentRefundedV1, orderId, refundOf(orderId, paymentId, currency, 1000));
    const parked = await parkedReach(orderId, 2);
    expect(parked.journals).toEqual([]);
    expect(parked.parked.map((p) => p.sourceEventId)).toEqual([dispatchId, refundId]);

    const captureId = await publish(PaymentCapturedV1, orderId, captureOf(orderId, paymentId, currency));
    const view = await journalsReach(orderId, 3);
    expect(view.journals.map((j) => [j.kind, j.sourceEventId])).toEqual([['CAPTURE', captureId], ['DISPATCH', dispatchId], ['REFUND_REVERSAL', refundId]]);
    expect(lines(view.journals[2])).toEqual([['DEBIT', 'merchant_payable', 1000], ['CREDIT', 'processor_receivable', 1000]]);
    expect(view.parked.map((p) => p.status)).toEqual(['RELEASED', 'RELEASED']);
    expect(netOf(view)).toEqual({ processor_receivable: -1500, customer_clearing: 0, merchant_payable: 1500 });
    expect((await outcomesOf(refundId)).map((o) => [o.outcome, o.cause_event_id])).toEqual([['PARKED', refundId], ['RELEASED', captureId]]);
  });

  it('a dispatch and a refund of one order handled at the same time (two topics) leave the books as either order would', async () => {
    const currency = 'MNT';
    const orderId = randomUUID();
    const paymentId = randomUUID();
    await publish(PaymentCapturedV1, orderId, captureOf(orderId, paymentId, currency));
    await journalsReach(orderId, 1);
    await Promise.all([publish(ShipmentDispatchedV1, orderId, dispatchOf(orderId, currency)), publish(PaymentRefundedV1, orderId, refundOf(orderId, paymentId, currency, 1000))]);
    const view = await journalsReach(orderId, 3);
    // whichever came first, clearing is empty and the merchant is owed what the customer kept
    expect(netOf(view)).toEqual({ processor_receivable: -1500, customer_clearing: 0, merchant_payable: 1500 });
  });

  it('kills ledger-service after the journal commit, before the offset commit: the redelivery makes no second journal', async () => {
    await ledger!.stop();
    const crashing = await startLedger({ PAYSTATE_FAILPOINTS: failpointsEnv({ 'consumer.after-db-commit': 'kill' }) });
    const orderId = randomUUID();
    const paymentId = randomUUID();
    const eventId = await publish(PaymentCapturedV1, orderId, captureOf(orderId, paymentId, 'MNT'));
    const exit = await crashing.waitForExit();
    expect(exit.signal).toBe('SIGKILL');
    const committed = await queryAsSuperuser<{ n: string }>('paystate_ledger', 'SELECT count(*) AS n FROM journal WHERE order_id = $1', [orderId]);
    expect(committed[0]!.n).toBe('1');

    await startLedger();
    // a later fact of the same order is handled only after the redelivered capture was deduplicated
    await publish(ShipmentDispatchedV1, orderId, dispatchOf(orderId, 'MNT'));
    const view = await journalsReach(orderId, 2);
    expect(view.journals.map((j) => j.kind)).toEqual(['CAPTURE', 'DISPATCH']);
    expect(await outcomesOf(eventId)).toEqual([{ outcome: 'POSTED', cause_event_id: eventId }]);
    await tap.waitForRecords('two LedgerEntryPosted', (r) => r.key === orderId, 2);
    expect(ledgerEvents(orderId).map((e) => e.kind)).toEqual(['CAPTURE', 'DISPATCH']);
  });
});

describe('settlement (ready for reconciliation)', () => {
  it('posts Dr cash + Dr fees / Cr processor_receivable once per payment, and refuses a line that does not add up', async () => {
    const orderId = randomUUID();
    const paymentId = randomUUID();
    await publish(PaymentCapturedV1, orderId, captureOf(orderId, paymentId, 'MNT'));
    await journalsReach(orderId, 1);

    const dataSource = new DataSource({ type: 'postgres', url: ledgerDb, extra: { max: 2 } });
    await dataSource.initialize();
    try {
      const settle = new PostSettlementJournal(dataSource, new OrderJournals(new LedgerStore()));
      const line = { sourceId: randomUUID(), orderId, paymentId, currency: 'MNT', gross: 2500, fee: 75, net: 2425 };
      expect(await settle.execute({ ...line, net: 2400 }, new Date())).toMatchObject({ outcome: 'rejected', reason: 'settlement-mismatch' });
      expect(await settle.execute(line, new Date())).toMatchObject({ outcome: 'posted', journal: { kind: 'SETTLEMENT', amount: 2500 } });
      expect(await settle.execute({ ...line, sourceId: randomUUID() }, new Date())).toMatchObject({ outcome: 'duplicate' });
    } finally {
      await dataSource.destroy();
    }
    const view = await journalsOf(orderId);
    expect(view.journals.map((j) => j.kind)).toEqual(['CAPTURE', 'SETTLEMENT']);
    expect(lines(view.journals[1])).toEqual([['DEBIT', 'cash', 2425], ['DEBIT', 'fees', 75], ['CREDIT', 'processor_receivable', 2500]]);
    const [event] = await tap.waitForRecords('LedgerEntryPosted SETTLEMENT', (r) => r.key === orderId && r.value?.includes('"SETTLEMENT"') === true);
    expect(JSON.parse(event!.value!)).toMatchObject({ kind: 'SETTLEMENT', amount: 2500, journalId: view.journals[1]!.id });
  });
});

describe('the database keeps the books right on its own (as the service role)', () => {
  let journal: JournalView;
  beforeAll(async () => {
    const orderId = randomUUID();
    await publish(PaymentCapturedV1, orderId, captureOf(orderId, randomUUID(), 'MNT'));
    journal = (await journalsReach(orderId, 1)).journals[0]!;
  });

  const insertJournal = (client: Client, id: string, amount: number) =>
    client.query(
      `INSERT INTO journal (id, journal_key, kind, order_id, currency, amount, source_event_id, source_event_type, posted_at)
       VALUES ($1, $2, 'CAPTURE', $3, 'MNT', $4, $5, 'Manual', now())`,
      [id, `MANUAL:${id}`, randomUUID(), amount, randomUUID()],
    );
  const insertPosting = (client: Client, journalId: string, side: string, amount: number, currency = 'MNT', account = 'cash') =>
    client.query('INSERT INTO posting (journal_id, currency, account, side, amount) VALUES ($1, $2, $3, $4, $5)', [journalId, currency, account, side, amount]);

  it.each([
    ['UPDATE of a journal', 'journal_immutable', (c: Client) => c.query('UPDATE journal SET amount = amount + 1 WHERE id = $1', [journal.id])],
    ['DELETE of a journal', 'journal_immutable', (c: Client) => c.query('DELETE FROM journal WHERE id = $1', [journal.id])],
    ['UPDATE of a posting', 'posting_immutable', (c: Client) => c.query('UPDATE posting SET amount = 1 WHERE journal_id = $1', [journal.id])],
    ['DELETE of a posting', 'posting_immutable', (c: Client) => c.query('DELETE FROM posting WHERE journal_id = $1', [journal.id])],
    ['TRUNCATE of the postings', 'posting_immutable', (c: Client) => c.query('TRUNCATE posting')],
  ])('refuses an %s: %s', async (_what, constraint, statement) => {
    expect(await asServiceRole(async (c) => void (await statement(c)))).toMatchObject({ constraint });
    const [kept] = await queryAsSuperuser<{ amount: string; postings: string }>(
      'paystate_ledger',
      'SELECT j.amount, (SELECT count(*) FROM posting p WHERE p.journal_id = j.id) AS postings FROM journal j WHERE j.id = $1',
      [journal.id],
    );
    expect(kept).toEqual({ amount: String(journal.amount), postings: '2' });
  });

  it('refuses an unbalanced journal at commit: journal_balanced', async () => {
    const id = randomUUID();
    const error = await asServiceRole(async (c) => {
      await c.query('BEGIN');
      await insertJournal(c, id, 100);
      await insertPosting(c, id, 'DEBIT', 100);
      await insertPosting(c, id, 'CREDIT', 90, 'MNT', 'fees');
      await c.query('COMMIT');
    });
    expect(error).toMatchObject({ constraint: 'journal_balanced' });
    expect(await queryAsSuperuser('paystate_ledger', 'SELECT 1 FROM journal WHERE id = $1', [id])).toEqual([]);
  });

  it('refuses a journal without postings at commit: journal_balanced', async () => {
    expect(await asServiceRole(async (c) => void (await insertJournal(c, randomUUID(), 100)))).toMatchObject({ constraint: 'journal_balanced' });
  });

  it('refuses a posting in another currency than its journal: journal_one_currency', async () => {
    const id = randomUUID();
    const error = await asServiceRole(async (c) => {
      await c.query('BEGIN');
      await insertJournal(c, id, 100);
      await insertPosting(c, id, 'DEBIT', 100, 'MNT');
      await insertPosting(c, id, 'CREDIT', 100, 'EUR', 'fees');
      await c.query('COMMIT');
    });
    expect(error).toMatchObject({ constraint: 'journal_one_currency' });
  });

  it('refuses a zero or negative amount: posting_amount_positive, journal_amount_positive', async () => {
    expect(await asServiceRole(async (c) => void (await insertPosting(c, journal.id, 'DEBIT', 0)))).toMatchObject({ constraint: 'posting_amount_positive' });
    expect(await asServiceRole(async (c) => void (await insertJournal(c, randomUUID(), -5)))).toMatchObject({ constraint: 'journal_amount_positive' });
  });

  it('refuses a second journal for the same fact or the same source event: journal_one_per_fact, journal_one_per_source_event', async () => {
    const sameFact = await asServiceRole(async (c) =>
      void (await c.query(
        `INSERT INTO journal (id, journal_key, kind, order_id, currency, amount, source_event_id, source_event_type, posted_at)
         VALUES ($1, $2, 'CAPTURE', $3, 'MNT', 2500, $4, 'Manual', now())`,
        [randomUUID(), journal.journalKey, randomUUID(), randomUUID()],
      )),
    );
    expect(sameFact).toMatchObject({ constraint: 'journal_one_per_fact' });
    const sameEvent = await asServiceRole(async (c) =>
      void (await c.query(
        `INSERT INTO journal (id, journal_key, kind, order_id, currency, amount, source_event_id, source_event_type, posted_at)
         VALUES ($1, $2, 'CAPTURE', $3, 'MNT', 2500, $4, 'Manual', now())`,
        [randomUUID(), `MANUAL:${randomUUID()}`, randomUUID(), journal.sourceEventId],
      )),
    );
    expect(sameEvent).toMatchObject({ constraint: 'journal_one_per_source_event' });
  });
});

describe('HTTP API', () => {
  it('needs an API key', async () => {
    const res = await get('/ledger/trial-balance', null);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it.each([
    ['an unknown account', '/ledger/accounts/petty_cash/balance?currency=EUR', 'code'],
    ['a missing currency', '/ledger/accounts/cash/balance', 'currency'],
    ['an unknown currency', '/ledger/accounts/cash/balance?currency=XXX', 'currency'],
    ['a lower-case currency', '/ledger/accounts/cash/balance?currency=eur', 'currency'],
    ['an unknown query parameter', '/ledger/accounts/cash/balance?currency=EUR&side=DEBIT', 'side'],
    ['an orderId that is no UUID', '/ledger/journals?orderId=42', 'orderId'],
    ['a missing orderId', '/ledger/journals', 'orderId'],
    ['a bad trial-balance currency', '/ledger/trial-balance?currency=EURO', 'currency'],
  ])('answers 400 problem+json for %s', async (_what, path, field) => {
    const res = await get<{ status: number; errors: { field: string }[] }>(path);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e) => e.field)).toContain(field);
  });

  it('reports a balance with its normal side: credit-normal merchant_payable, debit-normal cash', async () => {
    const payable = await balance('merchant_payable', 'MNT');
    expect(payable).toMatchObject({ account: 'merchant_payable', currency: 'MNT', normalSide: 'CREDIT', balance: payable.credits - payable.debits });
    const cash = await balance('cash', 'JPY');
    expect(cash).toMatchObject({ account: 'cash', currency: 'JPY', normalSide: 'DEBIT', balance: cash.debits - cash.credits });
  });
});
