import { waitFor } from '@paystate/testing';
import { JournalView, OrderView, ProcessorCounts, Saga, uniqueSku, unshippableSku } from './support/saga';

/**
 * Every path of SPEC §4 end to end, through HTTP and Kafka only: the happy path and the
 * compensations C1–C5, each to its terminal state, checked in every service that has a say: the
 * order (status, reason), the payment, the processor's own records, the ledger, the stock, and the
 * emails the SMTP server received.
 */
const saga = new Saga();

interface PathExpectation {
  /** What the order-facing services must show once the path is over. */
  order: Partial<OrderView>;
  payment: string;
  processor: Partial<ProcessorCounts>;
  journals: string[];
  /** Net movement per ledger account for this order (debit positive). */
  ledgerNet?: Record<string, number>;
  stock: { onHand: number; reserved: number };
  emails: string[];
}

const STOCK = 5;
const AMOUNT = 2500;

/** Places one order down a path and waits until every service has reached what the path expects. */
async function walk(sku: string, paymentMethod: string, expected: PathExpectation, initialStock = STOCK) {
  await saga.setStock(sku, initialStock);
  const { id, email } = await saga.placeOrder({ sku, paymentMethod, unitPrice: AMOUNT });

  const order = await saga.waitOrder(id, `to reach ${JSON.stringify(expected.order)}`, (o) => Object.entries(expected.order).every(([k, v]) => o[k as keyof OrderView] === v));
  const settled = async () => {
    const payment = await saga.payment(id);
    const journals = await saga.journals(id);
    const sent = (await saga.notifications(id)).filter((n) => n.status === 'SENT');
    return payment?.status === expected.payment && journals.length === expected.journals.length && sent.length === expected.emails.length ? { payment, journals } : undefined;
  };
  await waitFor(`the ${id} path to settle`, settled, { timeoutMs: 90_000, intervalMs: 300 });
  // everything consumed: a late duplicate effect would show now
  await saga.caughtUp();

  const payment = (await saga.payment(id))!;
  return {
    id,
    email,
    order,
    payment,
    processor: await saga.processorRecords(payment.id),
    journals: await saga.journals(id),
    parked: (await saga.ledgerOf(id)).parked,
    stock: await saga.stock(sku),
    notifications: await saga.notifications(id),
    mails: await saga.mailsTo(email),
    finalOrder: await saga.order(id),
  };
}

function netByAccount(journals: JournalView[]): Record<string, number> {
  const net: Record<string, number> = {};
  for (const j of journals) for (const p of j.postings) net[p.account] = (net[p.account] ?? 0) + (p.side === 'DEBIT' ? p.amount : -p.amount);
  return Object.fromEntries(Object.entries(net).filter(([, v]) => v !== 0));
}

function assertPath(result: Awaited<ReturnType<typeof walk>>, expected: PathExpectation): void {
  expect(result.finalOrder).toMatchObject(expected.order);
  expect(result.payment.status).toBe(expected.payment);
  expect(result.processor).toMatchObject(expected.processor);
  expect(result.journals.map((j) => j.kind).sort()).toEqual([...expected.journals].sort());
  for (const j of result.journals) {
    const debits = j.postings.filter((p) => p.side === 'DEBIT').reduce((s, p) => s + p.amount, 0);
    const credits = j.postings.filter((p) => p.side === 'CREDIT').reduce((s, p) => s + p.amount, 0);
    expect([j.kind, debits]).toEqual([j.kind, credits]);
  }
  if (expected.ledgerNet) expect(netByAccount(result.journals)).toEqual(expected.ledgerNet);
  // nothing the ledger parked is still waiting for a capture
  expect(result.parked.filter((p) => p.status === 'PARKED')).toEqual([]);
  expect({ onHand: result.stock.onHand, reserved: result.stock.reserved }).toEqual(expected.stock);
  expect(result.notifications.map((n) => n.kind).sort()).toEqual([...expected.emails].sort());
  expect(result.notifications.every((n) => n.status === 'SENT' && n.recipient === result.email)).toBe(true);
  // the SMTP server's own record: exactly one message per notification, with its Message-ID
  expect(result.mails).toHaveLength(expected.emails.length);
  expect(result.mails.map((m) => m.MessageID.replace(/^<|>$/g, '')).sort()).toEqual(result.notifications.map((n) => (n.messageId ?? '').replace(/^<|>$/g, '')).sort());
}

beforeAll(async () => {
  await saga.start();
});

afterAll(async () => {
  await saga.stop();
});

afterEach(async () => {
  await saga.nemesis.processor().clear();
});

it('happy path: captured, shipped → COMPLETED; one charge; capture and dispatch journals; stock shipped; confirmed + dispatched emails', async () => {
  const expected: PathExpectation = {
    order: { status: 'COMPLETED', paymentStatus: 'CAPTURED', fulfilmentStatus: 'DISPATCHED', cancellationReason: null },
    payment: 'CAPTURED',
    processor: { authorisations: 1, captures: 1, voids: 0, refunds: 0 },
    journals: ['CAPTURE', 'DISPATCH'],
    ledgerNet: { processor_receivable: AMOUNT, merchant_payable: -AMOUNT },
    stock: { onHand: STOCK - 1, reserved: 0 },
    emails: ['ORDER_CONFIRMED', 'ORDER_DISPATCHED'],
  };
  const result = await walk(uniqueSku('happy'), 'tok_visa_approve', expected);
  assertPath(result, expected);

  // the timeline: every service's events about the order, in the order they happened
  const timeline = await saga.timeline(result.id);
  const types = timeline.map((e) => e.type);
  for (const t of ['OrderPlaced', 'PaymentAuthorised', 'StockReserved', 'PaymentCaptured', 'ShipmentDispatched', 'OrderConfirmed', 'OrderCompleted']) {
    expect([t, types.filter((x) => x === t).length]).toEqual([t, 1]);
  }
  expect(types.filter((t) => t === 'LedgerEntryPosted')).toHaveLength(2);
  expect(types.filter((t) => t === 'NotificationSent')).toHaveLength(2);
  const at = (t: string) => types.indexOf(t);
  expect(at('OrderPlaced')).toBe(0);
  expect(at('PaymentAuthorised')).toBeLessThan(at('StockReserved'));
  expect(at('StockReserved')).toBeLessThan(at('PaymentCaptured'));
  expect(at('PaymentCaptured')).toBeLessThan(at('ShipmentDispatched'));
  expect(at('ShipmentDispatched')).toBeLessThan(at('OrderCompleted'));
  const times = timeline.map((e) => Date.parse(e.occurredAt));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(new Set(timeline.map((e) => e.eventId)).size).toBe(timeline.length);
  expect(timeline.find((e) => e.type === 'OrderCompleted')).toMatchObject({ service: 'order-service', causationId: timeline.find((e) => e.type === 'ShipmentDispatched')!.eventId });
  expect(new Set(timeline.map((e) => e.service))).toEqual(new Set(['order-service', 'payment-service', 'fulfilment-service', 'ledger-service', 'notification-service']));
});

it('C1 declined: PaymentFailed → CANCELLED (PAYMENT_DECLINED), nothing charged, nothing reserved, one cancellation email', async () => {
  const expected: PathExpectation = {
    order: { status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', refunded: false, paymentStatus: 'FAILED' },
    payment: 'FAILED',
    processor: { authorisations: 0, captures: 0, declines: 1 },
    journals: [],
    stock: { onHand: STOCK, reserved: 0 },
    emails: ['ORDER_CANCELLED'],
  };
  assertPath(await walk(uniqueSku('c1'), 'tok_decline', expected), expected);
});

it('C2 out of stock: StockReservationFailed → void → CANCELLED (OUT_OF_STOCK), one cancellation email', async () => {
  const expected: PathExpectation = {
    order: { status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK', refunded: false, paymentStatus: 'VOIDED', fulfilmentStatus: 'RESERVATION_FAILED' },
    payment: 'VOIDED',
    processor: { authorisations: 1, captures: 0, voids: 1, refunds: 0 },
    journals: [],
    stock: { onHand: 0, reserved: 0 },
    emails: ['ORDER_CANCELLED'],
  };
  assertPath(await walk(uniqueSku('c2'), 'tok_visa_approve', expected, 0), expected);
});

it('C3 capture fails: void → PaymentVoided → reservation released → CANCELLED (CAPTURE_FAILED), one cancellation email', async () => {
  const expected: PathExpectation = {
    order: { status: 'CANCELLED', cancellationReason: 'CAPTURE_FAILED', refunded: false, paymentStatus: 'VOIDED' },
    payment: 'VOIDED',
    processor: { authorisations: 1, captures: 0, voids: 1, refunds: 0 },
    journals: [],
    stock: { onHand: STOCK, reserved: 0 },
    emails: ['ORDER_CANCELLED'],
  };
  const result = await walk(uniqueSku('c3'), 'tok_capture_fails', expected);
  assertPath(result, expected);
  await saga.waitOrder(result.id, 'to show the stock released', (o) => o.fulfilmentStatus === 'RELEASED');
});

it('C4 dispatch fails after capture: refund → ledger reversal → stock released → CANCELLED (refunded); confirmed, refunded and cancelled emails', async () => {
  const expected: PathExpectation = {
    order: { status: 'CANCELLED', cancellationReason: 'SHIPMENT_FAILED', refunded: true, paymentStatus: 'REFUNDED' },
    payment: 'REFUNDED',
    processor: { authorisations: 1, captures: 1, voids: 0, refunds: 1 },
    journals: ['CAPTURE', 'REFUND_REVERSAL'],
    ledgerNet: {},
    stock: { onHand: STOCK, reserved: 0 },
    emails: ['ORDER_CONFIRMED', 'PAYMENT_REFUNDED', 'ORDER_CANCELLED'],
  };
  const result = await walk(unshippableSku('c4'), 'tok_visa_approve', expected);
  assertPath(result, expected);
  await saga.waitOrder(result.id, 'to show the stock released', (o) => o.fulfilmentStatus === 'RELEASED');
});

it('C5 a void that fails: REQUIRES_REVIEW, counted for alerting, the order left visibly unfinished, no email, nothing charged', async () => {
  const reviewsBefore = await saga.metric('payment-service', 'paystate_payments_requires_review_total');
  const expected: PathExpectation = {
    order: { status: 'PENDING', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: 'RESERVATION_FAILED', cancellationReason: null },
    payment: 'REQUIRES_REVIEW',
    processor: { authorisations: 1, captures: 0, voids: 0 },
    journals: [],
    stock: { onHand: 0, reserved: 0 },
    emails: [],
  };
  assertPath(await walk(uniqueSku('c5v'), 'tok_void_fails', expected, 0), expected);
  expect(await saga.metric('payment-service', 'paystate_payments_requires_review_total')).toBe(reviewsBefore + 1);
});

it('C5 a refund that fails: REQUIRES_REVIEW with the money captured, the goods held, the capture journal standing and only the confirmation sent', async () => {
  const expected: PathExpectation = {
    order: { status: 'CONFIRMED', paymentStatus: 'REQUIRES_REVIEW', fulfilmentStatus: 'SHIPMENT_FAILED' },
    payment: 'REQUIRES_REVIEW',
    processor: { authorisations: 1, captures: 1, refunds: 0 },
    journals: ['CAPTURE'],
    ledgerNet: { processor_receivable: AMOUNT, customer_clearing: -AMOUNT },
    stock: { onHand: STOCK, reserved: 1 },
    emails: ['ORDER_CONFIRMED'],
  };
  assertPath(await walk(unshippableSku('c5r'), 'tok_refund_fails', expected), expected);
});

it('keeps the trial balance at zero in every currency', async () => {
  const { currencies } = await saga.trialBalance();
  expect(currencies.length).toBeGreaterThan(0);
  for (const c of currencies) expect(c).toMatchObject({ balanced: true, totalDebits: c.totalCredits });
});
