import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  EventContract,
  OrderPlacedV1,
  PayloadOf,
  ShipmentFailedV1,
  StockReservationFailedV1,
  StockReservedV1,
} from '@paystate/contracts';
import { appendToOutbox } from '@paystate/messaging';
import { failpointsEnv } from '@paystate/failpoints';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { KafkaTap, apiHeaders, createApiKey, queryAsSuperuser, requestJson, testStack, waitFor } from '@paystate/testing';

/**
 * payment-service on the real stack with the real processor simulator: the payment state machine,
 * its compensations (C1–C5) and its failure handling (F1 lost responses, F3 crashes between the
 * processor call and the local commit, F4 webhooks). Fulfilment does not exist yet, so its facts
 * (StockReserved, StockReservationFailed, ShipmentFailed) are published the way every event is:
 * through a real outbox (order-service's database) and Debezium.
 */
const info = testStack();
const brokers = info.kafka.brokers;
const paymentUrl = info.services['payment-service']!.url;
const processorUrl = info.services['processor-sim']!.url;
const webhookSecret = info.services['payment-service']!.env['PROCESSOR_WEBHOOK_SECRETS']!.split(',')[0]!;
const fastResolver = { PROCESSOR_TIMEOUT_MS: '1500', PAYMENT_OPERATION_LEASE_MS: '3000', PAYMENT_RESOLVER_INTERVAL_MS: '300' };

const outbox = new DataSource({ type: 'postgres', url: info.services['order-service']!.databaseUrl, extra: { max: 2 } });
let processor: ServiceProcess;
let payments: ServiceProcess[] = [];
let tap: KafkaTap;
/** An operator's key: reads payments and refunds them. */
let opsKey: string;

interface OperationView { id: string; type: string; status: string; reason: string; attempts: number; resultCode: string | null }
interface PaymentView { id: string; orderId: string; status: string; amount: number; refundedAmount: number; authorisationId: string | null; operations: OperationView[] }
interface Records { authorisations: number; captures: number; voids: number; refunds: number; declines: number }

async function publish<C extends EventContract>(contract: C, orderId: string, payload: PayloadOf<C>): Promise<void> {
  await outbox.transaction((manager) =>
    appendToOutbox(manager, [{ contract, payload, aggregateId: orderId, cause: { correlationId: orderId, causationId: randomUUID() }, occurredAt: new Date() }]),
  );
}

async function placeOrder(paymentMethod: string, total = 2500): Promise<string> {
  const orderId = randomUUID();
  await publish(OrderPlacedV1, orderId, { ...OrderPlacedV1.example, orderId, paymentMethod, total, items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: total }] });
  return orderId;
}

const paymentOf = async (orderId: string): Promise<PaymentView | undefined> => (await requestJson<PaymentView[]>(`${paymentUrl}/payments?orderId=${orderId}`, { headers: apiHeaders(opsKey) })).body[0];

async function paymentReaches(orderId: string, status: string, timeoutMs = 30_000): Promise<PaymentView> {
  return waitFor(`payment of ${orderId} to be ${status}`, async () => {
    const p = await paymentOf(orderId);
    return p?.status === status ? p : undefined;
  }, { timeoutMs });
}

/** The processor's own ground truth: what it executed for our payment (successful operations). */
const records = async (paymentId: string): Promise<Records> => (await requestJson<{ counts: Records }>(`${processorUrl}/admin/records?reference=${paymentId}`)).body.counts;

const eventsOn = (topic: string, orderId: string) => tap.matching((r) => r.topic === topic && r.key === orderId).map((r) => r.headers['eventType']);

async function fault(body: object): Promise<void> {
  const r = await requestJson(`${processorUrl}/admin/faults`, { method: 'POST', body });
  expect(r.status).toBeLessThan(300);
}
const clearFaults = () => requestJson(`${processorUrl}/admin/faults`, { method: 'DELETE' });
const webhookMode = (mode: { duplicate: boolean; outOfOrder: boolean; holdMs?: number }) => requestJson(`${processorUrl}/admin/webhooks/mode`, { method: 'POST', body: mode });

function signedWebhook(body: object, t = Math.floor(Date.now() / 1000), secret = webhookSecret): { body: string; headers: Record<string, string> } {
  const raw = JSON.stringify(body);
  const v1 = createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex');
  return { body: raw, headers: { 'processor-signature': `t=${t},v1=${v1}` } };
}
/** The webhooks this suite made up itself; every other one it received came from the processor. */
const madeUp = new Set<string>();
const suiteStarted = new Date();
const postWebhook = (w: { body: string; headers: Record<string, string> }) => {
  madeUp.add((JSON.parse(w.body) as { id: string }).id);
  return requestJson<{ received: boolean; duplicate: boolean }>(`${paymentUrl}/webhooks/processor`, { method: 'POST', body: w.body, headers: w.headers });
};

async function startPayments(extra: Record<string, string> = {}): Promise<ServiceProcess> {
  const p = await startServiceProcess(info, 'payment-service', { ...fastResolver, ...extra });
  payments.push(p);
  return p;
}

async function stopPayments(): Promise<void> {
  await Promise.all(payments.map((p) => p.stop()));
  payments = [];
}

beforeAll(async () => {
  await outbox.initialize();
  tap = await KafkaTap.open(brokers, ['payment.events']);
  processor = await startServiceProcess(info, 'processor-sim');
  await startPayments();
  opsKey = await createApiKey('payment-service', { clientId: 'e2e-ops', scopes: ['payments:read', 'payments:refund'] });
});

afterEach(async () => {
  await clearFaults();
  await webhookMode({ duplicate: false, outOfOrder: false });
});

afterAll(async () => {
  await stopPayments();
  await processor?.stop();
  await tap?.close();
  await outbox.destroy();
});

describe('the payment saga steps', () => {
  it('authorises on OrderPlaced and captures on StockReserved: one authorisation, one capture', async () => {
    const orderId = await placeOrder('tok_visa_approve');
    const authorised = await paymentReaches(orderId, 'AUTHORISED');
    await publish(StockReservedV1, orderId, { orderId, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    const captured = await paymentReaches(orderId, 'CAPTURED');
    expect(captured.operations.map((o) => [o.type, o.status])).toEqual([['AUTHORISE', 'SUCCEEDED'], ['CAPTURE', 'SUCCEEDED']]);
    expect(await records(authorised.id)).toMatchObject({ authorisations: 1, captures: 1, voids: 0, refunds: 0 });
    await waitFor('PaymentAuthorised and PaymentCaptured', () => {
      const types = eventsOn('payment.events', orderId);
      return types.includes('PaymentAuthorised') && types.includes('PaymentCaptured') ? true : undefined;
    });
  });

  it('C1: a declined card fails the payment with its decline code and PaymentFailed', async () => {
    const orderId = await placeOrder('tok_insufficient_funds');
    const failed = await paymentReaches(orderId, 'FAILED');
    expect(failed.operations).toEqual([expect.objectContaining({ type: 'AUTHORISE', status: 'FAILED', resultCode: 'insufficient_funds' })]);
    const [event] = await tap.waitForRecords('PaymentFailed', (r) => r.key === orderId && r.headers['eventType'] === 'PaymentFailed');
    expect(JSON.parse(event!.value!)).toMatchObject({ reason: 'DECLINED', code: 'insufficient_funds' });
  });

  it('C2: StockReservationFailed voids the authorisation', async () => {
    const orderId = await placeOrder('tok_visa_approve');
    const p = await paymentReaches(orderId, 'AUTHORISED');
    await publish(StockReservationFailedV1, orderId, { orderId, reason: 'OUT_OF_STOCK', unavailable: [{ sku: 'BOOK-1', requested: 1, available: 0 }], failedAt: new Date().toISOString() });
    await paymentReaches(orderId, 'VOIDED');
    expect(await records(p.id)).toMatchObject({ authorisations: 1, captures: 0, voids: 1 });
    const [voided] = await tap.waitForRecords('PaymentVoided', (r) => r.key === orderId && r.headers['eventType'] === 'PaymentVoided');
    expect(JSON.parse(voided!.value!)).toMatchObject({ reason: 'STOCK_UNAVAILABLE' });
  });

  it('C3: a failed capture voids the authorisation', async () => {
    const orderId = await placeOrder('tok_capture_fails');
    const p = await paymentReaches(orderId, 'AUTHORISED');
    await publish(StockReservedV1, orderId, { orderId, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    const voided = await paymentReaches(orderId, 'VOIDED');
    expect(voided.operations.map((o) => [o.type, o.status, o.reason])).toEqual([
      ['AUTHORISE', 'SUCCEEDED', 'ORDER_PLACED'],
      ['CAPTURE', 'FAILED', 'STOCK_RESERVED'],
      ['VOID', 'SUCCEEDED', 'CAPTURE_FAILED'],
    ]);
    expect(await records(p.id)).toMatchObject({ authorisations: 1, captures: 0, voids: 1 });
  });

  it('C4: ShipmentFailed after capture refunds the payment', async () => {
    const orderId = await placeOrder('tok_visa_approve');
    await paymentReaches(orderId, 'AUTHORISED');
    await publish(StockReservedV1, orderId, { orderId, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    const captured = await paymentReaches(orderId, 'CAPTURED');
    await publish(ShipmentFailedV1, orderId, { orderId, shipmentId: randomUUID(), reason: 'carrier refused', failedAt: new Date().toISOString() });
    const refunded = await paymentReaches(orderId, 'REFUNDED');
    expect(refunded.refundedAmount).toBe(2500);
    expect(await records(captured.id)).toMatchObject({ authorisations: 1, captures: 1, refunds: 1 });
  });

  it('C5: a void that fails, and a refund that fails, put the payment in REQUIRES_REVIEW with PaymentRequiresReview', async () => {
    const voidFails = await placeOrder('tok_void_fails');
    await paymentReaches(voidFails, 'AUTHORISED');
    await publish(StockReservationFailedV1, voidFails, { orderId: voidFails, reason: 'OUT_OF_STOCK', unavailable: [{ sku: 'BOOK-1', requested: 1, available: 0 }], failedAt: new Date().toISOString() });
    await paymentReaches(voidFails, 'REQUIRES_REVIEW');

    const refundFails = await placeOrder('tok_refund_fails');
    await paymentReaches(refundFails, 'AUTHORISED');
    await publish(StockReservedV1, refundFails, { orderId: refundFails, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    await paymentReaches(refundFails, 'CAPTURED');
    await publish(ShipmentFailedV1, refundFails, { orderId: refundFails, shipmentId: randomUUID(), reason: 'lost', failedAt: new Date().toISOString() });
    await paymentReaches(refundFails, 'REQUIRES_REVIEW');

    for (const orderId of [voidFails, refundFails]) {
      const [review] = await tap.waitForRecords('PaymentRequiresReview', (r) => r.key === orderId && r.headers['eventType'] === 'PaymentRequiresReview');
      expect(JSON.parse(review!.value!)).toMatchObject({ orderId, operationType: orderId === voidFails ? 'VOID' : 'REFUND' });
    }
    // the alert: a counter operators alert on
    const metrics = (await requestJson<string>(`${paymentUrl}/metrics`)).body;
    const counted = metrics.split('\n').filter((l) => l.startsWith('paystate_payments_requires_review_total{')).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(counted).toBeGreaterThanOrEqual(2);
  });

  it('refuses an operator refund of a payment that is only authorised (409) and accepts one of a captured payment (202)', async () => {
    const orderId = await placeOrder('tok_visa_approve');
    const p = await paymentReaches(orderId, 'AUTHORISED');
    const refused = await requestJson<{ detail: string }>(`${paymentUrl}/payments/${p.id}/refunds`, { method: 'POST', body: {}, headers: apiHeaders(opsKey, randomUUID()) });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('void it');
    await publish(StockReservedV1, orderId, { orderId, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    await paymentReaches(orderId, 'CAPTURED');
    const key = randomUUID();
    const accepted = await requestJson<{ operationId: string; amount: number }>(`${paymentUrl}/payments/${p.id}/refunds`, { method: 'POST', body: { amount: 1000 }, headers: apiHeaders(opsKey, key) });
    expect(accepted.status).toBe(202);
    // the same request again (a client retry) replays the stored answer and starts nothing
    const replayed = await requestJson<{ operationId: string }>(`${paymentUrl}/payments/${p.id}/refunds`, { method: 'POST', body: { amount: 1000 }, headers: apiHeaders(opsKey, key) });
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.operationId).toBe(accepted.body.operationId);
    const unauthenticated = await requestJson(`${paymentUrl}/payments/${p.id}/refunds`, { method: 'POST', body: { amount: 1000 }, headers: { 'idempotency-key': randomUUID() } });
    expect(unauthenticated.status).toBe(401);
    const partly = await paymentReaches(orderId, 'PARTIALLY_REFUNDED');
    expect(partly.refundedAmount).toBe(1000);
    expect(partly.operations.filter((o) => o.type === 'REFUND')).toHaveLength(1);
    expect(await records(p.id)).toMatchObject({ refunds: 1 });
  });
});

describe('issue 8: refunds move the books every time, and never beyond what was captured', () => {
  it('a second partial refund is recorded with its own version and log row; one beyond what is left is refused before the processor', async () => {
    const orderId = await placeOrder('tok_visa_approve', 10_000);
    const p = await paymentReaches(orderId, 'AUTHORISED');
    await publish(StockReservedV1, orderId, { orderId, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    await paymentReaches(orderId, 'CAPTURED');
    const refund = (amount: number) => requestJson<{ type?: string; detail?: string; operationId?: string }>(`${paymentUrl}/payments/${p.id}/refunds`, { method: 'POST', body: { amount }, headers: apiHeaders(opsKey, randomUUID()) });

    expect((await refund(3000)).status).toBe(202);
    await waitFor('the first refund', async () => ((await paymentOf(orderId))!.refundedAmount === 3000 ? true : undefined));
    expect((await refund(3000)).status).toBe(202);
    const twice = await waitFor('the second refund on the books', async () => {
      const now = (await paymentOf(orderId))!;
      return now.refundedAmount === 6000 ? now : undefined;
    });
    expect(twice.status).toBe('PARTIALLY_REFUNDED');

    // 4000 left: 7000 is refused with a problem that says so, and the processor is never asked
    const over = await refund(7000);
    expect(over.status).toBe(422);
    expect(over.body.type).toContain('refund-exceeds-captured');
    expect(over.body.detail).toContain('4000');
    // two refunds at once may not together exceed it either: the one in flight counts
    const [a, b] = await Promise.all([refund(2500), refund(2500)]);
    expect([a.status, b.status].sort()).toEqual([202, 422]);
    const settled = await waitFor('the last refund', async () => {
      const now = (await paymentOf(orderId))!;
      return now.refundedAmount === 8500 && now.operations.every((o) => o.status === 'SUCCEEDED') ? now : undefined;
    });
    expect(settled.status).toBe('PARTIALLY_REFUNDED');
    // the refused ones never became operations, so the processor was never asked
    expect(settled.operations.filter((o) => o.type === 'REFUND')).toHaveLength(3);
    expect(await records(p.id)).toMatchObject({ refunds: 3 });
    const log = await queryAsSuperuser<{ to_status: string; version: number; refunded_amount: string }>(
      'paystate_payment',
      'SELECT to_status, version, refunded_amount FROM payment_transition WHERE payment_id = $1 ORDER BY version',
      [p.id],
    );
    expect(log.slice(-3).map((t) => [t.to_status, Number(t.refunded_amount)])).toEqual([
      ['PARTIALLY_REFUNDED', 3000],
      ['PARTIALLY_REFUNDED', 6000],
      ['PARTIALLY_REFUNDED', 8500],
    ]);
    expect(log.map((t) => t.version)).toEqual(log.map((_, i) => i + 1));
    await tap.waitForRecords('three PaymentRefunded', (r) => r.key === orderId && r.headers['eventType'] === 'PaymentRefunded', 3);
  });
});

describe('F1: the processor executes and the response is lost', () => {
  it.each([['authorise'], ['capture']])('%s: the operation goes UNKNOWN, is resolved with the same key, and the processor has exactly one', async (operation) => {
    const orderId = await placeOrder('tok_visa_approve');
    if (operation === 'capture') await paymentReaches(orderId, 'AUTHORISED');
    // hold the processor's webhooks back, so only our resolver can learn the outcome
    await webhookMode({ duplicate: false, outOfOrder: true, holdMs: 60_000 });
    await fault({ operation, kind: 'drop-response', count: 1 });
    if (operation === 'capture') {
      await publish(StockReservedV1, orderId, { orderId, reservationId: randomUUID(), items: [{ sku: 'BOOK-1', quantity: 1 }], reservedAt: new Date().toISOString() });
    }
    const settled = await paymentReaches(orderId, operation === 'authorise' ? 'AUTHORISED' : 'CAPTURED', 45_000);
    const op = settled.operations.find((o) => o.type === operation.toUpperCase())!;
    expect(op.status).toBe('SUCCEEDED');
    expect(op.attempts).toBeGreaterThanOrEqual(2); // the lost answer, then the retry with the same key
    const causes = await queryAsSuperuser<{ cause_type: string }>('paystate_payment', 'SELECT cause_type FROM payment_transition WHERE payment_id = $1 AND to_status = $2', [settled.id, settled.status]);
    expect(causes).toEqual([{ cause_type: 'processor-response' }]);
    expect(await records(settled.id)).toMatchObject({ authorisations: 1, captures: operation === 'capture' ? 1 : 0 });
    const type = operation === 'authorise' ? 'PaymentAuthorised' : 'PaymentCaptured';
    await tap.waitForRecords(type, (r) => r.key === orderId && r.headers['eventType'] === type);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(eventsOn('payment.events', orderId).filter((t) => t === type)).toHaveLength(1);
  });
});

describe('an outcome that stays unknown', () => {
  it('sends the payment to REQUIRES_REVIEW at its deadline, with PaymentRequiresReview and no charge', async () => {
    await stopPayments();
    await startPayments({ PAYMENT_OPERATION_DEADLINE_MS: '2000' });
    await fault({ operation: 'authorise', kind: 'error500', count: 1000 });
    const orderId = await placeOrder('tok_visa_approve');
    const review = await paymentReaches(orderId, 'REQUIRES_REVIEW', 30_000);
    expect(review.operations).toEqual([expect.objectContaining({ type: 'AUTHORISE', status: 'UNKNOWN' })]);
    expect(review.operations[0]!.attempts).toBeGreaterThanOrEqual(2);
    expect(await records(review.id)).toMatchObject({ authorisations: 0 });
    const [event] = await tap.waitForRecords('PaymentRequiresReview', (r) => r.key === orderId && r.headers['eventType'] === 'PaymentRequiresReview');
    expect(JSON.parse(event!.value!)).toMatchObject({ operationType: 'AUTHORISE', reason: expect.stringContaining('unknown') });
  });
});

describe('F3: payment-service killed between the processor call and its local commit', () => {
  it('converges after restart with one charge', async () => {
    await stopPayments();
    const crashing = await startPayments({ PAYSTATE_FAILPOINTS: failpointsEnv({ 'payment.after-processor-call': 'kill' }) });
    const orderId = await placeOrder('tok_visa_approve');
    const exit = await crashing.waitForExit();
    expect(exit.signal).toBe('SIGKILL');
    payments = [];
    // the processor charged, our database does not know yet: the payment is VALIDATED, the operation IN_FLIGHT
    const [stuck] = await queryAsSuperuser<{ id: string; status: string; op_status: string }>(
      'paystate_payment',
      'SELECT p.id, p.status, o.status AS op_status FROM payments p JOIN payment_operation o ON o.payment_id = p.id WHERE p.order_id = $1',
      [orderId],
    );
    expect(stuck).toMatchObject({ status: 'VALIDATED', op_status: 'IN_FLIGHT' });
    expect(await records(stuck!.id)).toMatchObject({ authorisations: 1 });

    await startPayments();
    const authorised = await paymentReaches(orderId, 'AUTHORISED', 45_000);
    expect(await records(authorised.id)).toMatchObject({ authorisations: 1 });
    const transitions = await queryAsSuperuser<{ to_status: string }>('paystate_payment', 'SELECT to_status FROM payment_transition WHERE payment_id = $1 ORDER BY id', [authorised.id]);
    expect(transitions.map((t) => t.to_status)).toEqual(['INITIATED', 'VALIDATED', 'AUTHORISED']);
  });

  it('with two instances, each operation is resolved once', async () => {
    const second = await startPayments({ PORT: '13012' });
    try {
      const orderIds = await Promise.all(Array.from({ length: 8 }, () => placeOrder('tok_visa_approve')));
      const settled = await Promise.all(orderIds.map((id) => paymentReaches(id, 'AUTHORISED', 45_000)));
      for (const p of settled) {
        expect(p.operations).toEqual([expect.objectContaining({ type: 'AUTHORISE', status: 'SUCCEEDED', attempts: 1 })]);
        expect(await records(p.id)).toMatchObject({ authorisations: 1 });
      }
    } finally {
      // later suites read one instance's metrics (F4's ignored-webhook counter): the second must not
      // go on claiming stored webhooks after this test
      await second.stop();
      payments = payments.filter((p) => p !== second);
    }
  });
});

describe('F4: webhooks', () => {
  const webhookCount = async (): Promise<number> => Number((await queryAsSuperuser<{ n: string }>('paystate_payment', 'SELECT count(*) AS n FROM processor_webhook'))[0]!.n);

  it('refuses a bad signature and a stale timestamp with 400 and stores nothing', async () => {
    const before = await webhookCount();
    const body = { id: `evt_${randomUUID()}`, type: 'authorisation.succeeded', created: Math.floor(Date.now() / 1000), data: {} };
    const forged = await postWebhook(signedWebhook(body, undefined, 'whsec_not_ours'));
    expect(forged.status).toBe(400);
    const stale = await postWebhook(signedWebhook(body, Math.floor(Date.now() / 1000) - 301));
    expect(stale.status).toBe(400);
    const unsigned = await requestJson(`${paymentUrl}/webhooks/processor`, { method: 'POST', body });
    expect(unsigned.status).toBe(400);
    expect(await webhookCount()).toBe(before);
  });

  it('answers a duplicate with 200 and no effect, and ignores an older event after a newer one', async () => {
    const orderId = await placeOrder('tok_visa_approve');
    const p = await paymentReaches(orderId, 'AUTHORISED');
    const authorise = p.operations[0]!;
    const transitionsBefore = await queryAsSuperuser('paystate_payment', 'SELECT id FROM payment_transition WHERE payment_id = $1', [p.id]);

    // a late, contradicting report about an operation that already succeeded: states only move forward
    const late = { id: `evt_${randomUUID()}`, type: 'authorisation.declined', created: Math.floor(Date.now() / 1000) - 60, sequence: 0, data: { operationId: authorise.id, reference: p.id, declineCode: 'card_declined' } };
    const first = await postWebhook(signedWebhook(late));
    expect(first.body).toEqual({ received: true, duplicate: false });
    const again = await postWebhook(signedWebhook(late));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });

    await waitFor('the webhook to be applied', async () => {
      const rows = await queryAsSuperuser<{ outcome: string | null }>('paystate_payment', 'SELECT outcome FROM processor_webhook WHERE event_id = $1', [late.id]);
      return rows[0]?.outcome ? rows[0].outcome : undefined;
    });
    expect((await paymentOf(orderId))!.status).toBe('AUTHORISED');
    expect(await queryAsSuperuser('paystate_payment', 'SELECT id FROM payment_transition WHERE payment_id = $1', [p.id])).toHaveLength(transitionsBefore.length);
  });

  it('a signed webhook of an unrelated type, or about another movement, naming an operation in flight is acknowledged, ignored with its reason, counted, and changes nothing', async () => {
    // the processor fails the authorisation's first calls, so it stays in flight while the reports arrive
    await fault({ operation: 'authorise', kind: 'error500', count: 3 });
    const orderId = await placeOrder('tok_visa_approve');
    const inFlight = await waitFor('the authorisation to be in flight', async () => (await paymentOf(orderId))?.operations[0]);
    const ignoredBefore = (await requestJson<string>(`${paymentUrl}/metrics`)).body;
    const reports = [
      { type: 'payout.succeeded', data: { operationId: inFlight.id, objectId: 'po_x' } },
      { type: 'capture.failed', data: { operationId: inFlight.id, reference: (await paymentOf(orderId))!.id, objectId: 'cap_x', amount: 2500, currency: 'EUR' } },
      { type: 'authorisation.succeeded', data: { operationId: inFlight.id, reference: randomUUID(), objectId: 'auth_x', amount: 2500, currency: 'EUR' } },
    ];
    const ids: string[] = [];
    for (const r of reports) {
      const body = { id: `evt_${randomUUID()}`, created: Math.floor(Date.now() / 1000), ...r };
      ids.push(body.id);
      const answer = await postWebhook(signedWebhook(body));
      expect(answer.status).toBe(200); // acknowledged, so the processor stops delivering it
    }
    const rows = await waitFor('the reports to be ignored', async () => {
      const found = await queryAsSuperuser<{ event_id: string; outcome: string | null; ignored_reason: string | null }>(
        'paystate_payment',
        'SELECT event_id, outcome, ignored_reason FROM processor_webhook WHERE event_id = ANY($1)',
        [ids],
      );
      return found.length === 3 && found.every((f) => f.outcome) ? found : undefined;
    });
    expect(Object.fromEntries(rows.map((r) => [r.event_id, [r.outcome, r.ignored_reason]]))).toEqual({
      [ids[0]!]: ['ignored', 'unknown-type'],
      [ids[1]!]: ['ignored', 'type-mismatch'],
      [ids[2]!]: ['ignored', 'reference-mismatch'],
    });
    const count = (text: string, reason: string) => Number(text.split('\n').find((l) => l.startsWith(`paystate_webhooks_ignored_total{reason="${reason}"}`))?.split(' ').pop() ?? 0);
    const metrics = (await requestJson<string>(`${paymentUrl}/metrics`)).body;
    for (const reason of ['unknown-type', 'type-mismatch', 'reference-mismatch']) expect(count(metrics, reason)).toBe(count(ignoredBefore, reason) + 1);

    // the real authorisation goes through, with the processor's own id
    const authorised = await paymentReaches(orderId, 'AUTHORISED', 45_000);
    expect(authorised.authorisationId).toMatch(/^auth_/);
    expect(authorised.authorisationId).not.toBe('auth_x');
    expect(authorised.operations).toEqual([expect.objectContaining({ id: inFlight.id, type: 'AUTHORISE', status: 'SUCCEEDED' })]);
    expect(await records(authorised.id)).toMatchObject({ authorisations: 1 });
  });

  it('a webhook that arrives before our own call returns lands on the same single transition', async () => {
    // the processor executes, sends its webhook at once, and never answers our call
    await fault({ operation: 'authorise', kind: 'drop-response', count: 1 });
    const orderId = await placeOrder('tok_visa_approve');
    const p = await paymentReaches(orderId, 'AUTHORISED', 45_000);
    await waitFor('the operation to settle', async () => ((await paymentOf(orderId))!.operations[0]!.status === 'SUCCEEDED' ? true : undefined));
    const transitions = await queryAsSuperuser<{ to_status: string; cause_type: string }>('paystate_payment', 'SELECT to_status, cause_type FROM payment_transition WHERE payment_id = $1 ORDER BY id', [p.id]);
    expect(transitions.filter((t) => t.to_status === 'AUTHORISED')).toHaveLength(1);
    expect(await records(p.id)).toMatchObject({ authorisations: 1 });
    await tap.waitForRecords('PaymentAuthorised', (r) => r.key === orderId && r.headers['eventType'] === 'PaymentAuthorised');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(eventsOn('payment.events', orderId).filter((t) => t === 'PaymentAuthorised')).toHaveLength(1);
  });
});

describe('the processor’s own webhooks', () => {
  it('about operations of ours were every one applied or found already settled: none was ignored as not being about its operation', async () => {
    const rows = await queryAsSuperuser<{ event_id: string; type: string; outcome: string | null; ignored_reason: string | null }>(
      'paystate_payment',
      'SELECT event_id, type, outcome, ignored_reason FROM processor_webhook WHERE received_at >= $1 AND operation_id IN (SELECT id FROM payment_operation)',
      [suiteStarted],
    );
    const fromProcessor = rows.filter((r) => !madeUp.has(r.event_id));
    expect(fromProcessor.length).toBeGreaterThan(10);
    expect(fromProcessor.filter((r) => r.outcome === 'ignored')).toEqual([]);
  });
});
