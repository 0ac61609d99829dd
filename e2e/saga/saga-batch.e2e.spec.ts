import { requestJson, waitFor } from '@paystate/testing';
import { OrderView, Saga, uniqueSku, unshippableSku } from './support/saga';

/**
 * 200 orders down every path of SPEC §4 at once, with the processor delivering every webhook twice
 * and out of order: every order reaches the end of its path, and every invariant holds in every
 * service (one charge at most, the void or refund expected, balanced books with one journal per
 * fact, stock never oversold and back where it belongs, exactly the expected emails).
 */
const saga = new Saga();

interface PathSpec {
  name: string;
  count: number;
  paymentMethod: string;
  sku: string;
  /** What every order of the path ends as (for the contended SKU: one of two outcomes). */
  ends: { status: string; reason: string | null; payment: string; journals: string[]; emails: string[]; charged: boolean }[];
}

const done = (o: OrderView) => o.status === 'COMPLETED' || o.status === 'CANCELLED' || o.paymentStatus === 'REQUIRES_REVIEW';

const HAPPY = { status: 'COMPLETED', reason: null, payment: 'CAPTURED', journals: ['CAPTURE', 'DISPATCH'], emails: ['ORDER_CONFIRMED', 'ORDER_DISPATCHED'], charged: true };
const OUT_OF_STOCK = { status: 'CANCELLED', reason: 'OUT_OF_STOCK', payment: 'VOIDED', journals: [], emails: ['ORDER_CANCELLED'], charged: false };

const paths: PathSpec[] = [
  { name: 'happy', count: 60, paymentMethod: 'tok_visa_approve', sku: uniqueSku('b-happy'), ends: [HAPPY] },
  // 30 orders race for 20 units: exactly 20 ship, 10 are voided as out of stock
  { name: 'contended', count: 30, paymentMethod: 'tok_visa_approve', sku: uniqueSku('b-race'), ends: [HAPPY, OUT_OF_STOCK] },
  { name: 'C1', count: 30, paymentMethod: 'tok_decline', sku: uniqueSku('b-c1'), ends: [{ status: 'CANCELLED', reason: 'PAYMENT_DECLINED', payment: 'FAILED', journals: [], emails: ['ORDER_CANCELLED'], charged: false }] },
  { name: 'C2', count: 15, paymentMethod: 'tok_visa_approve', sku: uniqueSku('b-c2'), ends: [OUT_OF_STOCK] },
  { name: 'C3', count: 20, paymentMethod: 'tok_capture_fails', sku: uniqueSku('b-c3'), ends: [{ status: 'CANCELLED', reason: 'CAPTURE_FAILED', payment: 'VOIDED', journals: [], emails: ['ORDER_CANCELLED'], charged: false }] },
  {
    name: 'C4',
    count: 25,
    paymentMethod: 'tok_visa_approve',
    sku: unshippableSku('b-c4'),
    ends: [{ status: 'CANCELLED', reason: 'SHIPMENT_FAILED', payment: 'REFUNDED', journals: ['CAPTURE', 'REFUND_REVERSAL'], emails: ['ORDER_CONFIRMED', 'PAYMENT_REFUNDED', 'ORDER_CANCELLED'], charged: true }],
  },
  { name: 'C5 void', count: 8, paymentMethod: 'tok_void_fails', sku: uniqueSku('b-c5v'), ends: [{ status: 'PENDING', reason: null, payment: 'REQUIRES_REVIEW', journals: [], emails: [], charged: false }] },
  { name: 'C5 refund', count: 12, paymentMethod: 'tok_refund_fails', sku: unshippableSku('b-c5r'), ends: [{ status: 'CONFIRMED', reason: null, payment: 'REQUIRES_REVIEW', journals: ['CAPTURE'], emails: ['ORDER_CONFIRMED'], charged: true }] },
];
const initialStock: Record<string, number> = { happy: 60, contended: 20, C1: 5, C2: 0, C3: 20, C4: 25, 'C5 void': 0, 'C5 refund': 12 };

beforeAll(async () => {
  await saga.start();
  await saga.nemesis.processor().webhooks({ duplicate: true, outOfOrder: true });
});

afterAll(async () => {
  await saga.nemesis.processor().webhooks({ duplicate: false, outOfOrder: false }).catch(() => undefined);
  await saga.stop();
});

it('200 mixed orders with every webhook delivered twice and out of order: all reach the end of their path, every invariant holds', async () => {
  expect(paths.reduce((n, p) => n + p.count, 0)).toBe(200);
  for (const p of paths) await saga.setStock(p.sku, initialStock[p.name]!);

  // placed 10 at a time, the paths interleaved
  const queue = paths.flatMap((p) => Array.from({ length: p.count }, (_, i) => ({ path: p, i }))).sort((a, b) => a.i - b.i || a.path.name.localeCompare(b.path.name));
  const placed: { path: PathSpec; id: string; email: string }[] = [];
  const started = Date.now();
  while (queue.length > 0) {
    const slice = queue.splice(0, 10);
    placed.push(...(await Promise.all(slice.map(async ({ path }) => ({ path, ...(await saga.placeOrder({ sku: path.sku, paymentMethod: path.paymentMethod })) })))));
  }

  const finals = new Map<string, OrderView>();
  await waitFor(
    'every order to reach the end of its path',
    async () => {
      for (const p of placed) {
        if (finals.has(p.id)) continue;
        const o = await saga.order(p.id);
        if (done(o)) finals.set(p.id, o);
      }
      return finals.size === placed.length ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 2_000 },
  );
  const sagaSeconds = (Date.now() - started) / 1000;

  // let the tail settle (payments, journals, emails), then everything consumed
  await waitFor(
    'every notification to be sent',
    async () => {
      for (const p of placed) {
        const ns = await saga.notifications(p.id);
        if (ns.some((n) => n.status !== 'SENT')) return undefined;
      }
      return true;
    },
    { timeoutMs: 180_000, intervalMs: 2_000 },
  );
  await saga.caughtUp(300_000);

  const mails = (await requestJson<{ messages: { To: { Address: string }[] }[] }>(`${saga.mailApiUrl}/api/v1/messages?limit=100000`)).body.messages;
  const mailsTo = new Map<string, number>();
  for (const m of mails) for (const t of m.To) mailsTo.set(t.Address.toLowerCase(), (mailsTo.get(t.Address.toLowerCase()) ?? 0) + 1);

  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  for (const p of placed) {
    const order = await saga.order(p.id);
    const payment = (await saga.payment(p.id))!;
    const records = await saga.processorRecords(payment.id);
    const journals = (await saga.journals(p.id)).map((j) => j.kind).sort();
    const emails = (await saga.notifications(p.id)).map((n) => n.kind).sort();
    const end = p.path.ends.find((e) => e.status === order.status && e.reason === order.cancellationReason);
    const label = `${p.path.name} ${p.id}`;
    if (!end) {
      problems.push(`${label}: ended ${order.status}/${order.cancellationReason}`);
      continue;
    }
    outcomes.set(`${p.path.name}:${end.status}`, (outcomes.get(`${p.path.name}:${end.status}`) ?? 0) + 1);
    const check = (what: string, actual: unknown, expected: unknown) => {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${label}: ${what} ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
    };
    check('payment', payment.status, end.payment);
    check('journals', journals, [...end.journals].sort());
    check('emails', emails, [...end.emails].sort());
    check('emails at the SMTP server', mailsTo.get(p.email.toLowerCase()) ?? 0, end.emails.length);
    // never charged twice; charged only on the paths that capture
    check('captures', records.captures, end.charged ? 1 : 0);
    check('authorisations', records.authorisations, p.path.paymentMethod === 'tok_decline' ? 0 : 1);
    check('refunds', records.refunds, end.payment === 'REFUNDED' ? 1 : 0);
    check('voids', records.voids, end.payment === 'VOIDED' ? 1 : 0);
  }
  expect(problems).toEqual([]);
  expect(outcomes.get('contended:COMPLETED')).toBe(20);
  expect(outcomes.get('contended:CANCELLED')).toBe(10);

  // stock: shipped lines left, nothing held but what a stuck refund holds
  const expectStock: Record<string, { onHand: number; reserved: number }> = {
    happy: { onHand: 0, reserved: 0 },
    contended: { onHand: 0, reserved: 0 },
    C1: { onHand: 5, reserved: 0 },
    C2: { onHand: 0, reserved: 0 },
    C3: { onHand: 20, reserved: 0 },
    C4: { onHand: 25, reserved: 0 },
    'C5 void': { onHand: 0, reserved: 0 },
    'C5 refund': { onHand: 12, reserved: 12 },
  };
  for (const p of paths) {
    const s = await saga.stock(p.sku);
    expect([p.name, { onHand: s.onHand, reserved: s.reserved }]).toEqual([p.name, expectStock[p.name]]);
  }
  for (const c of (await saga.trialBalance()).currencies) expect(c).toMatchObject({ balanced: true, totalDebits: c.totalCredits });

  console.log(`batch: 200 orders placed and at the end of their paths in ${sagaSeconds.toFixed(1)} s; ${mails.length} emails at the sink in total; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
});
