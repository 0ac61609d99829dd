import { randomUUID } from 'node:crypto';
import { failpointsEnv } from '@paystate/failpoints';
import { startServiceProcess, ServiceProcess } from '@paystate/stack';
import {
  KafkaTap,
  RawResponse,
  anOrderRequest,
  apiHeaders,
  createApiKey,
  freePort,
  queryAsSuperuser,
  requestRaw,
  testStack,
  waitFor,
} from '@paystate/testing';

/**
 * order-service's public API rules (SPEC §5) through HTTP only: bearer API keys and scopes,
 * Idempotency-Key semantics, and bad input that changes nothing. Asserted on the responses, the
 * order database (read as superuser) and order.events (a KafkaTap).
 *
 * Four instances of order-service share its database: a plain one, one that holds every order
 * 3 s between claim and commit (the 409), one that fails the first order once before its commit
 * (the 5xx), and one with a 5 s lease that a test kills mid-request (the takeover).
 */
const info = testStack();
const PROBLEM_JSON = /^application\/problem\+json/;

let plain: ServiceProcess;
let delayed: ServiceProcess;
let failing: ServiceProcess;
let crashing: ServiceProcess;
let tap: KafkaTap;
/** client A: orders:write + orders:read */
let writer: string;
/** client B: orders:write only */
let otherClient: string;
/** client C: orders:read only */
let reader: string;

interface Created {
  id: string;
  status: string;
  total: number;
  currency: string;
}

const newKey = (): string => randomUUID();

function postOrder(service: ServiceProcess, body: unknown, headers: Record<string, string> | [string, string][]): Promise<RawResponse> {
  return requestRaw(`${service.url}/orders`, { method: 'POST', body, headers });
}

const ordersCount = async (): Promise<number> => (await queryAsSuperuser<{ n: number }>('paystate_order', 'SELECT count(*)::int AS n FROM orders'))[0]!.n;

const ordersOf = async (customerId: string): Promise<string[]> =>
  (await queryAsSuperuser<{ id: string }>('paystate_order', 'SELECT id FROM orders WHERE customer_id = $1', [customerId])).map((r) => r.id);

const storedKeys = async (key: string): Promise<{ client_id: string; status: string }[]> =>
  queryAsSuperuser('paystate_order', 'SELECT client_id, status FROM idempotency_key WHERE key = $1 ORDER BY client_id', [key]);

/** Waits for the order's OrderPlaced, then for a later order's, and returns how many the first has. */
async function orderPlacedEventsOf(orderId: string): Promise<number> {
  await tap.waitForRecords(`OrderPlaced of ${orderId}`, (r) => r.key === orderId);
  // a later order's event seen means Debezium has read past any duplicate of the first
  const later = await postOrder(plain, anOrderRequest(), apiHeaders(writer, newKey()));
  expect(later.status).toBe(201);
  const laterId = (JSON.parse(later.text) as Created).id;
  await tap.waitForRecords(`OrderPlaced of ${laterId}`, (r) => r.key === laterId);
  return tap.matching((r) => r.key === orderId && r.headers['eventType'] === 'OrderPlaced').length;
}

beforeAll(async () => {
  tap = await KafkaTap.open(info.kafka.brokers, ['order.events']);
  const [delayedPort, failingPort, crashingPort] = await Promise.all([freePort(), freePort(), freePort()]);
  [plain, delayed, failing, crashing] = await Promise.all([
    startServiceProcess(info, 'order-service'),
    startServiceProcess(info, 'order-service', { PORT: String(delayedPort), PAYSTATE_FAILPOINTS: failpointsEnv({ 'order.place.before-commit': 'delay(3000)' }) }),
    startServiceProcess(info, 'order-service', { PORT: String(failingPort), PAYSTATE_FAILPOINTS: failpointsEnv({ 'order.place.before-commit': '1*throw->off' }) }),
    startServiceProcess(info, 'order-service', {
      PORT: String(crashingPort),
      PAYSTATE_FAILPOINTS: failpointsEnv({ 'order.place.before-commit': 'delay(30000)' }),
      IDEMPOTENCY_LEASE_SECONDS: '5',
    }),
  ]);
  const run = randomUUID().slice(0, 8);
  [writer, otherClient, reader] = await Promise.all([
    createApiKey('order-service', { clientId: `client-a-${run}`, scopes: ['orders:write', 'orders:read'] }),
    createApiKey('order-service', { clientId: `client-b-${run}`, scopes: ['orders:write'] }),
    createApiKey('order-service', { clientId: `client-c-${run}`, scopes: ['orders:read'] }),
  ]);
});

afterAll(async () => {
  await tap?.close();
  await Promise.all([plain?.stop(), delayed?.stop(), failing?.stop(), crashing?.kill()]);
});

describe('authentication', () => {
  it('answers POST /orders without a key with 401 + WWW-Authenticate: Bearer, and stores nothing: the same Idempotency-Key then works', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const before = await ordersCount();

    const missing = await postOrder(plain, body, { 'idempotency-key': key });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(JSON.parse(missing.text)).toMatchObject({ status: 401, title: 'Authentication required' });

    const wrong = await postOrder(plain, body, apiHeaders(`psk_0123456789ab_${'A'.repeat(43)}`, key));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer\b.*invalid_token/);

    const garbage = await postOrder(plain, body, { authorization: 'Bearer not-a-key', 'idempotency-key': key });
    expect(garbage.status).toBe(401);
    const basic = await postOrder(plain, body, { authorization: 'Basic dXNlcjpwYXNz', 'idempotency-key': key });
    expect(basic.status).toBe(401);

    expect(await ordersCount()).toBe(before);
    expect(await storedKeys(key)).toEqual([]);
    expect((await postOrder(plain, body, apiHeaders(writer, key))).status).toBe(201);
  });

  it('answers a key without the scope with 403 (orders:write for POST, orders:read for GET), storing nothing', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const forbidden = await postOrder(plain, body, apiHeaders(reader, key));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(forbidden.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(await ordersOf(body.customerId)).toEqual([]);
    expect(await storedKeys(key)).toEqual([]);

    const created = await postOrder(plain, body, apiHeaders(writer, key));
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.text) as Created).id;
    expect((await requestRaw(`${plain.url}/orders/${id}`, { headers: apiHeaders(otherClient) })).status).toBe(403);
    expect((await requestRaw(`${plain.url}/orders/${id}`)).status).toBe(401);
    const read = await requestRaw(`${plain.url}/orders/${id}`, { headers: apiHeaders(reader) });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text)).toMatchObject({ id, status: 'PENDING', cancellationReason: null, paymentStatus: null });
  });

  it('leaves GET /health/live, /health/ready (and the deprecated /health) and GET /metrics open', async () => {
    expect((await requestRaw(`${plain.url}/health/live`)).status).toBe(200);
    expect((await requestRaw(`${plain.url}/health/ready`)).status).toBe(200);
    expect((await requestRaw(`${plain.url}/health`)).status).toBe(200);
    expect((await requestRaw(`${plain.url}/metrics`)).status).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('replays the stored 201 byte for byte with Idempotent-Replayed: true, whatever the key order of the body; one order, one OrderPlaced', async () => {
    const key = newKey();
    const body = anOrderRequest({ items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }, { sku: 'PEN-1', quantity: 1, unitPrice: 199 }] });
    const first = await postOrder(plain, body, apiHeaders(writer, key));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const created = JSON.parse(first.text) as Created;
    expect(created).toEqual({ id: expect.any(String), status: 'PENDING', total: 2699, currency: 'EUR' });

    // the same request, its fields in another order and spaced differently
    const reordered = `{ "paymentMethod": ${JSON.stringify(body.paymentMethod)}, "items": ${JSON.stringify(body.items)},
      "currency": "EUR", "customerEmail": ${JSON.stringify(body.customerEmail)}, "customerId": ${JSON.stringify(body.customerId)} }`;
    for (const replay of [await postOrder(plain, body, apiHeaders(writer, key)), await postOrder(delayed, reordered, apiHeaders(writer, key))]) {
      expect(replay.status).toBe(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('content-type')).toBe(first.headers.get('content-type'));
    }

    expect(await ordersOf(body.customerId)).toEqual([created.id]);
    expect(await orderPlacedEventsOf(created.id)).toBe(1);
  });

  it('answers the same key with a different body with 422 and leaves the first order alone', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const first = await postOrder(plain, body, apiHeaders(writer, key));
    expect(first.status).toBe(201);

    const changed = await postOrder(plain, { ...body, items: [{ sku: 'BOOK-1', quantity: 3, unitPrice: 1250 }] }, apiHeaders(writer, key));
    expect(changed.status).toBe(422);
    expect(changed.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(JSON.parse(changed.text)).toMatchObject({ status: 422, type: 'https://paystate.dev/problems/idempotency-key-reuse' });
    expect(changed.headers.get('idempotent-replayed')).toBeNull();
    expect(await ordersOf(body.customerId)).toEqual([(JSON.parse(first.text) as Created).id]);
  });

  it('answers a retry while the first request is in flight with 409 + Retry-After, stores nothing for it, then replays the first', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const inFlight = postOrder(delayed, body, apiHeaders(writer, key));
    await waitFor('the first request to claim its key', async () => ((await storedKeys(key))[0]?.status === 'in-progress' ? true : undefined), { intervalMs: 50 });

    const concurrent = await postOrder(plain, body, apiHeaders(writer, key));
    expect(concurrent.status).toBe(409);
    expect(concurrent.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(Number(concurrent.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(concurrent.text)).toMatchObject({ status: 409, type: 'https://paystate.dev/problems/idempotency-request-in-progress' });

    const first = await inFlight;
    expect(first.status).toBe(201);
    const retry = await postOrder(plain, body, apiHeaders(writer, key));
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await ordersOf(body.customerId)).toHaveLength(1);
  });

  it('fails the first order with a 500 before its commit: the key is released and the retry places exactly one order and one OrderPlaced', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const failed = await postOrder(failing, body, apiHeaders(writer, key));
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(failed.text).not.toMatch(/test hook|stack|INSERT/);
    expect(await ordersOf(body.customerId)).toEqual([]);
    expect(await storedKeys(key)).toEqual([]);

    const retry = await postOrder(failing, body, apiHeaders(writer, key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const id = (JSON.parse(retry.text) as Created).id;
    expect(await ordersOf(body.customerId)).toEqual([id]);
    expect(await orderPlacedEventsOf(id)).toBe(1);
  });

  it('kills order-service between claim and commit: the key stays in progress (409) until its lease lapses, then a retry takes it over and places one order', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const doomed = postOrder(crashing, body, apiHeaders(writer, key)).catch((error: unknown) => error);
    await waitFor('the doomed request to claim its key', async () => ((await storedKeys(key))[0]?.status === 'in-progress' ? true : undefined), { intervalMs: 50 });
    const exit = await crashing.kill();
    expect(exit.signal).toBe('SIGKILL');
    expect(String(await doomed)).toMatch(/socket hang up|ECONNRESET/); // the connection died with the process

    expect((await postOrder(plain, body, apiHeaders(writer, key))).status).toBe(409);
    expect(await ordersOf(body.customerId)).toEqual([]);
    const retry = await waitFor(
      'the lease to lapse',
      async () => {
        const r = await postOrder(plain, body, apiHeaders(writer, key));
        return r.status === 409 ? undefined : r;
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    expect(retry.status).toBe(201);
    expect(await ordersOf(body.customerId)).toEqual([(JSON.parse(retry.text) as Created).id]);
    expect(await storedKeys(key)).toEqual([expect.objectContaining({ status: 'completed' })]);
  });

  it('scopes keys by client: the same key from two clients places two orders', async () => {
    const key = newKey();
    const body = anOrderRequest();
    const a = await postOrder(plain, body, apiHeaders(writer, key));
    const b = await postOrder(plain, body, apiHeaders(otherClient, key));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect((JSON.parse(a.text) as Created).id).not.toBe((JSON.parse(b.text) as Created).id);
    expect(await ordersOf(body.customerId)).toHaveLength(2);
    expect(await storedKeys(key)).toHaveLength(2);
  });

  it.each<[string, [string, string][]]>([
    ['missing', []],
    ['empty', [['idempotency-key', '']]],
    ['longer than 255 characters', [['idempotency-key', 'k'.repeat(256)]]],
    ['repeated', [['idempotency-key', 'one'], ['idempotency-key', 'two']]],
  ])('answers a request whose Idempotency-Key is %s with 400 and creates nothing', async (_why, keyHeaders) => {
    const body = anOrderRequest();
    const response = await postOrder(plain, body, [['authorization', `Bearer ${writer}`], ...keyHeaders]);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(JSON.parse(response.text)).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'Idempotency-Key' })] });
    expect(await ordersOf(body.customerId)).toEqual([]);
  });

  it('accepts a key of exactly 255 characters', async () => {
    expect((await postOrder(plain, anOrderRequest(), apiHeaders(writer, `${randomUUID()}${'k'.repeat(219)}`))).status).toBe(201);
  });
});

describe('bad input (SPEC §5): a clear 4xx, no order, no OrderPlaced, and the Idempotency-Key is not consumed', () => {
  type BadRequest = { body: string; contentType?: string };
  const json = (value: unknown): BadRequest => ({ body: JSON.stringify(value) });
  const withItem = (marker: string, item: Record<string, unknown>): BadRequest => json(anOrderRequest({ customerId: marker, items: [item as never] }));

  // objects, not rows: a row shorter than the test function's parameters would make Jest pass `done`
  const cases: { name: string; make: (marker: string) => BadRequest; status: number; slug: string; fields?: string[] }[] = [
    { name: 'malformed JSON', make: (m) => ({ body: `{"customerId": "${m}", "items": [` }), status: 400, slug: 'malformed-json' },
    { name: 'an unknown top-level field', make: (m) => json({ ...anOrderRequest({ customerId: m }), couponCode: 'FREE' }), status: 400, slug: 'validation', fields: ['couponCode'] },
    { name: 'an unknown item field', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1, unitPrice: 100, discount: 50 }), status: 400, slug: 'validation', fields: ['items.0.discount'] },
    { name: 'every field missing', make: () => json({}), status: 400, slug: 'validation', fields: ['currency', 'customerEmail', 'customerId', 'items', 'paymentMethod'] },
    { name: 'two fields missing', make: (m) => json({ customerId: m, customerEmail: 'ada@example.com', currency: 'EUR' }), status: 400, slug: 'validation', fields: ['items', 'paymentMethod'] },
    { name: 'a non-integer amount', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1, unitPrice: 12.5 }), status: 400, slug: 'validation', fields: ['items.0.unitPrice'] },
    { name: 'an amount as a string', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1, unitPrice: '1250' }), status: 400, slug: 'validation', fields: ['items.0.unitPrice'] },
    { name: 'a zero amount', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1, unitPrice: 0 }), status: 400, slug: 'validation', fields: ['items.0.unitPrice'] },
    { name: 'a negative amount', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1, unitPrice: -100 }), status: 400, slug: 'validation', fields: ['items.0.unitPrice'] },
    { name: 'an absurd amount (over 10^10 minor units)', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1, unitPrice: 10_000_000_001 }), status: 400, slug: 'validation', fields: ['items.0.unitPrice'] },
    { name: 'an absurd total (lines summing over 10^10)', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 2, unitPrice: 10_000_000_000 }), status: 400, slug: 'amount-out-of-range', fields: ['items'] },
    { name: 'a zero quantity', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 0, unitPrice: 100 }), status: 400, slug: 'validation', fields: ['items.0.quantity'] },
    { name: 'a quantity over 1000', make: (m) => withItem(m, { sku: 'BOOK-1', quantity: 1001, unitPrice: 100 }), status: 400, slug: 'validation', fields: ['items.0.quantity'] },
    { name: 'no items', make: (m) => json(anOrderRequest({ customerId: m, items: [] })), status: 400, slug: 'validation', fields: ['items'] },
    { name: 'an unknown currency', make: (m) => json(anOrderRequest({ customerId: m, currency: 'XXY' })), status: 400, slug: 'validation', fields: ['currency'] },
    { name: 'a currency that is not a code', make: (m) => json(anOrderRequest({ customerId: m, currency: 'euro' })), status: 400, slug: 'validation', fields: ['currency'] },
    { name: 'a body over the limit', make: (m) => json({ ...anOrderRequest({ customerId: m }), paymentMethod: 'x'.repeat(70_000) }), status: 413, slug: 'payload-too-large' },
    { name: 'a text/plain body', make: (m) => ({ ...json(anOrderRequest({ customerId: m })), contentType: 'text/plain' }), status: 415, slug: 'unsupported-media-type' },
    { name: 'a form body', make: (m) => ({ body: `customerId=${m}&currency=EUR`, contentType: 'application/x-www-form-urlencoded' }), status: 415, slug: 'unsupported-media-type' },
  ];

  it.each(cases)('$name', async ({ make, status, slug, fields }) => {
    const marker = `cus_bad_${randomUUID().slice(0, 8)}`;
    const key = newKey();
    const bad = make(marker);
    const before = await ordersCount();

    const response = await postOrder(plain, bad.body, [
      ['content-type', bad.contentType ?? 'application/json'],
      ['authorization', `Bearer ${writer}`],
      ['idempotency-key', key],
    ]);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const problem = JSON.parse(response.text) as { type: string; status: number; errors?: { field: string }[] };
    expect(problem).toMatchObject({ type: `https://paystate.dev/problems/${slug}`, status });
    if (fields) expect([...new Set((problem.errors ?? []).map((e) => e.field))].sort()).toEqual(fields);
    expect(response.text).not.toMatch(/at \w+ \(|node_modules|SELECT|INSERT/);
    expect(await ordersCount()).toBe(before);
    expect(await storedKeys(key)).toEqual([]);

    // the corrected request with the same key goes through, and its event shows nothing came before it
    const corrected = await postOrder(plain, anOrderRequest(), apiHeaders(writer, key));
    expect(corrected.status).toBe(201);
    const id = (JSON.parse(corrected.text) as Created).id;
    await tap.waitForRecords(`OrderPlaced of the corrected order ${id}`, (r) => r.key === id);
    expect(tap.matching((r) => r.value?.includes(marker) === true)).toEqual([]);
  });
});
