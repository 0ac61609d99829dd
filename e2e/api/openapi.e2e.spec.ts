import { createHmac, randomUUID } from 'node:crypto';
import { OpenApiResponseChecker, RawResponse, apiHeaders, committedOpenApi, createApiKey, requestRaw, waitFor } from '@paystate/testing';
import { SAGA_SERVICES, Saga, SagaService, uniqueSku } from '../saga/support/saga';

/**
 * Every route of the six HTTP APIs, called on the real services of the test stack, answers what
 * its OpenAPI document (docs/openapi/<service>.json) says: a documented status, a documented media
 * type, and a body valid against the schema (ajv, JSON Schema 2020-12). Successes and the refusals
 * that can be provoked from outside (400 validation, 401, 403, 404, 409, 422, 402) are all checked.
 * Each service serves the committed document at GET /openapi.json, without a key.
 */
const saga = new Saga();
const checkers = new Map<SagaService, OpenApiResponseChecker>(SAGA_SERVICES.map((s) => [s, new OpenApiResponseChecker(committedOpenApi(s))]));
const failures: string[] = [];

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls a route of a service by its documented path and checks the answer against the document. */
async function call(service: SagaService, method: string, template: string, expected: number, init: Call = {}): Promise<RawResponse> {
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(init.params?.[name] ?? `missing-${name}`));
  const query = init.query ? `?${new URLSearchParams(init.query).toString()}` : '';
  const response = await requestRaw(`${saga.url(service)}${path}${query}`, { method, ...(init.body !== undefined ? { body: init.body } : {}), headers: init.headers ?? {} });
  const problems = checkers.get(service)!.problems(method, template, response);
  failures.push(...problems.map((p) => `${service} ${p}: ${response.text.slice(0, 300)}`));
  expect({ route: `${service} ${method} ${template}`, status: response.status }).toEqual({ route: `${service} ${method} ${template}`, status: expected });
  return response;
}

const json = <T>(r: RawResponse): T => JSON.parse(r.text) as T;
const keys: Record<string, string> = {};
let orderId: string;
let paymentId: string;
/** An order whose void fails (C5): its payment is under review, reported stuck by both monitors. */
let reviewOrderId: string;
let reviewPaymentId: string;

/** Tiny review SLAs, so the C5 order is reported stuck within seconds (WARNING only: CRITICAL at 100 ×). */
const MONITORS = {
  'order-service': { SAGA_SLA_REVIEW_MS: '2000', SAGA_SLA_ESCALATION: '100', SAGA_MONITOR_INTERVAL_MS: '500' },
  'payment-service': { PAYMENT_SLA_REVIEW_MS: '2000', PAYMENT_SLA_ESCALATION: '100', PAYMENT_MONITOR_INTERVAL_MS: '500' },
};

async function reportedStuck(service: 'order-service' | 'payment-service', key: string, id: string): Promise<void> {
  await waitFor(`${service} to report ${id} stuck`, async () => {
    const r = await requestRaw(`${saga.url(service)}/sagas/stuck`, { headers: apiHeaders(keys[key]!) });
    return (JSON.parse(r.text) as { stuck: { orderId: string }[] }).stuck.some((s) => s.orderId === id) || undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
}

beforeAll(async () => {
  await saga.start(MONITORS);
  const client = `openapi-${randomUUID().slice(0, 8)}`;
  const make = (service: string, suffix: string, scopes: string[]) => createApiKey(service, { clientId: `${client}-${suffix}`, scopes });
  keys['orders'] = await make('order-service', 'rw', ['orders:write', 'orders:read', 'sagas:operate']);
  keys['ordersReadOnly'] = await make('order-service', 'ro', ['orders:read']);
  keys['payments'] = await make('payment-service', 'rw', ['payments:read', 'payments:refund', 'payments:resolve', 'sagas:operate']);
  keys['paymentsReadOnly'] = await make('payment-service', 'ro', ['payments:read']);
  keys['ledger'] = await make('ledger-service', 'r', ['ledger:read']);
  keys['fulfilment'] = await make('fulfilment-service', 'rw', ['stock:read', 'stock:write', 'shipments:read']);
  keys['fulfilmentReadOnly'] = await make('fulfilment-service', 'ro', ['stock:read']);
  keys['notifications'] = await make('notification-service', 'r', ['notifications:read']);
  // one whole saga: an order paid, captured, shipped and completed, so every read has something to show
  const sku = uniqueSku('openapi');
  await saga.setStock(sku, 10);
  orderId = (await saga.placeOrder({ sku, quantity: 2, unitPrice: 1500 })).id;
  await saga.waitOrder(orderId, 'completed', (o) => o.status === 'COMPLETED', 120_000);
  paymentId = (await saga.payment(orderId))!.id;
  // C5: no stock, and the void of the authorisation fails → the payment waits for a person
  reviewOrderId = (await saga.placeOrder({ sku: uniqueSku('openapi-none'), paymentMethod: 'tok_void_fails' })).id;
  reviewPaymentId = (await waitFor(`payment of ${reviewOrderId} under review`, async () => {
    const p = await saga.payment(reviewOrderId);
    return p?.status === 'REQUIRES_REVIEW' ? p : undefined;
  }, { timeoutMs: 120_000 })).id;
  await reportedStuck('order-service', 'orders', reviewOrderId);
  await reportedStuck('payment-service', 'payments', reviewOrderId);
}, 600_000);

afterAll(async () => {
  await saga.stop();
});

const auth = (key: string, idempotencyKey?: string) => apiHeaders(keys[key]!, idempotencyKey);

describe('the OpenAPI documents describe the real responses', () => {
  it.each(SAGA_SERVICES)('%s serves the committed document at GET /openapi.json, with no API key', async (service) => {
    const served = await call(service, 'get', '/openapi.json', 200);
    expect(json(served)).toEqual(committedOpenApi(service));
    await call(service, 'get', '/health/live', 200);
    await call(service, 'get', '/health/ready', 200);
    await call(service, 'get', '/health', 200);
    await call(service, 'get', '/metrics', 200);
  });

  it('order-service', async () => {
    const order = { customerId: 'cus_openapi', customerEmail: 'openapi@example.com', currency: 'EUR', items: [{ sku: 'OPENAPI-1', quantity: 1, unitPrice: 100 }], paymentMethod: 'tok_visa_approve' };
    const key = randomUUID();
    await call('order-service', 'post', '/orders', 201, { body: order, headers: auth('orders', key) });
    await call('order-service', 'post', '/orders', 201, { body: order, headers: auth('orders', key) }); // the replay
    await call('order-service', 'post', '/orders', 422, { body: { ...order, customerId: 'cus_other' }, headers: auth('orders', key) });
    await call('order-service', 'post', '/orders', 400, { body: { ...order, items: [], extra: 1 }, headers: auth('orders', randomUUID()) });
    await call('order-service', 'post', '/orders', 400, { body: order, headers: auth('orders') });
    await call('order-service', 'post', '/orders', 400, { body: '{"customerId":', headers: auth('orders', randomUUID()) });
    await call('order-service', 'post', '/orders', 401, { body: order });
    await call('order-service', 'post', '/orders', 401, { body: order, headers: { authorization: 'Bearer psk_unknown' } });
    await call('order-service', 'post', '/orders', 403, { body: order, headers: auth('ordersReadOnly', randomUUID()) });
    await call('order-service', 'post', '/orders', 415, { body: 'customerId=1', headers: { ...auth('orders', randomUUID()), 'content-type': 'text/plain' } });
    await call('order-service', 'get', '/orders/{id}', 200, { params: { id: orderId }, headers: auth('ordersReadOnly') });
    await call('order-service', 'get', '/orders/{id}', 404, { params: { id: randomUUID() }, headers: auth('ordersReadOnly') });
    await call('order-service', 'get', '/orders/{id}', 400, { params: { id: 'not-a-uuid' }, headers: auth('ordersReadOnly') });
    await call('order-service', 'get', '/orders/{id}/timeline', 200, { params: { id: orderId }, headers: auth('ordersReadOnly') });
    await call('order-service', 'get', '/orders/{id}/timeline', 404, { params: { id: randomUUID() }, headers: auth('ordersReadOnly') });
    await call('order-service', 'get', '/sagas/stuck', 200, { query: { includeAcknowledged: 'true' }, headers: auth('orders') });
    await call('order-service', 'get', '/sagas/stuck', 400, { query: { includeAcknowledged: 'maybe' }, headers: auth('orders') });
    await call('order-service', 'get', '/sagas/stuck', 403, { headers: auth('ordersReadOnly') });
    await call('order-service', 'post', '/sagas/{orderId}/acknowledge', 404, { params: { orderId }, body: { note: 'looking into it' }, headers: auth('orders', randomUUID()) });
    await call('order-service', 'post', '/sagas/{orderId}/acknowledge', 400, { params: { orderId }, body: { note: '' }, headers: auth('orders', randomUUID()) });
    const stuck = json<{ stuck: { orderId: string }[] }>(await call('order-service', 'get', '/sagas/stuck', 200, { headers: auth('orders') }));
    expect(stuck.stuck.map((s) => s.orderId)).toContain(reviewOrderId);
    await call('order-service', 'post', '/sagas/{orderId}/acknowledge', 200, { params: { orderId: reviewOrderId }, body: { note: 'openapi check', by: 'e2e' }, headers: auth('orders', randomUUID()) });
  });

  it('payment-service', async () => {
    await call('payment-service', 'get', '/payments', 200, { query: { orderId }, headers: auth('paymentsReadOnly') });
    await call('payment-service', 'get', '/payments', 400, { headers: auth('paymentsReadOnly') });
    await call('payment-service', 'get', '/payments', 401, { query: { orderId } });
    await call('payment-service', 'get', '/payments/{id}', 200, { params: { id: paymentId }, headers: auth('paymentsReadOnly') });
    await call('payment-service', 'get', '/payments/{id}', 404, { params: { id: randomUUID() }, headers: auth('paymentsReadOnly') });
    await call('payment-service', 'post', '/payments/{id}/refunds', 202, { params: { id: paymentId }, body: { amount: 100 }, headers: auth('payments', randomUUID()) });
    await call('payment-service', 'post', '/payments/{id}/refunds', 422, { params: { id: paymentId }, body: { amount: 1_000_000 }, headers: auth('payments', randomUUID()) });
    await call('payment-service', 'post', '/payments/{id}/refunds', 404, { params: { id: randomUUID() }, body: {}, headers: auth('payments', randomUUID()) });
    await call('payment-service', 'post', '/payments/{id}/refunds', 400, { params: { id: paymentId }, body: { amount: -1 }, headers: auth('payments', randomUUID()) });
    await call('payment-service', 'post', '/payments/{id}/refunds', 403, { params: { id: paymentId }, body: {}, headers: auth('paymentsReadOnly', randomUUID()) });
    await call('payment-service', 'post', '/payments/{id}/resolutions', 409, { params: { id: paymentId }, body: { action: 'retry', note: 'not in review' }, headers: auth('payments', randomUUID()) });
    await call('payment-service', 'post', '/payments/{id}/resolutions', 400, { params: { id: paymentId }, body: { action: 'guess', note: 'x' }, headers: auth('payments', randomUUID()) });
    // a signed webhook of a type the service does not act on: stored, then a duplicate
    const secret = saga.info.services['payment-service']!.env['PROCESSOR_WEBHOOK_SECRETS']!.split(',')[0]!;
    const webhook = JSON.stringify({ id: `evt_openapi_${randomUUID()}`, type: 'openapi.probe', created: Math.floor(Date.now() / 1000), data: {} });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${webhook}`).digest('hex')}`;
    await call('payment-service', 'post', '/webhooks/processor', 200, { body: webhook, headers: { 'processor-signature': signature } });
    await call('payment-service', 'post', '/webhooks/processor', 200, { body: webhook, headers: { 'processor-signature': signature } });
    await call('payment-service', 'post', '/webhooks/processor', 400, { body: webhook, headers: { 'processor-signature': `t=${t},v1=${'0'.repeat(64)}` } });
    await call('payment-service', 'get', '/sagas/stuck', 200, { headers: auth('payments') });
    await call('payment-service', 'post', '/sagas/{orderId}/acknowledge', 404, { params: { orderId }, body: { note: 'looking into it' }, headers: auth('payments', randomUUID()) });
    await call('payment-service', 'post', '/sagas/{orderId}/acknowledge', 200, { params: { orderId: reviewOrderId }, body: { note: 'openapi check' }, headers: auth('payments', randomUUID()) });
    // this card's voids always fail: a retry is asked of the processor (202) and comes back to review
    await call('payment-service', 'post', '/payments/{id}/resolutions', 202, { params: { id: reviewPaymentId }, body: { action: 'retry', note: 'openapi check' }, headers: auth('payments', randomUUID()) });
  });

  it('ledger-service', async () => {
    await call('ledger-service', 'get', '/ledger/accounts/{code}/balance', 200, { params: { code: 'processor_receivable' }, query: { currency: 'EUR' }, headers: auth('ledger') });
    await call('ledger-service', 'get', '/ledger/accounts/{code}/balance', 400, { params: { code: 'petty_cash' }, query: { currency: 'EUR' }, headers: auth('ledger') });
    await call('ledger-service', 'get', '/ledger/accounts/{code}/balance', 400, { params: { code: 'cash' }, query: { currency: 'EUR', extra: '1' }, headers: auth('ledger') });
    await call('ledger-service', 'get', '/ledger/journals', 200, { query: { orderId }, headers: auth('ledger') });
    await call('ledger-service', 'get', '/ledger/journals', 400, { query: { orderId: 'x' }, headers: auth('ledger') });
    await call('ledger-service', 'get', '/ledger/trial-balance', 200, { headers: auth('ledger') });
    await call('ledger-service', 'get', '/ledger/trial-balance', 401, {});
  });

  it('fulfilment-service', async () => {
    const sku = uniqueSku('openapi-put');
    await call('fulfilment-service', 'put', '/stock/{sku}', 200, { params: { sku }, body: { onHand: 3 }, headers: auth('fulfilment') });
    await call('fulfilment-service', 'put', '/stock/{sku}', 400, { params: { sku }, body: { onHand: -1 }, headers: auth('fulfilment') });
    await call('fulfilment-service', 'put', '/stock/{sku}', 403, { params: { sku }, body: { onHand: 1 }, headers: auth('fulfilmentReadOnly') });
    await call('fulfilment-service', 'get', '/stock/{sku}', 200, { params: { sku }, headers: auth('fulfilmentReadOnly') });
    await call('fulfilment-service', 'get', '/stock/{sku}', 404, { params: { sku: uniqueSku('none') }, headers: auth('fulfilmentReadOnly') });
    await call('fulfilment-service', 'get', '/stock/{sku}', 400, { params: { sku: 'no spaces' }, headers: auth('fulfilmentReadOnly') });
    await call('fulfilment-service', 'get', '/shipments', 200, { query: { orderId }, headers: auth('fulfilment') });
    await call('fulfilment-service', 'get', '/shipments', 400, { headers: auth('fulfilment') });
    await call('fulfilment-service', 'get', '/reservations', 200, { query: { orderId }, headers: auth('fulfilment') });
    await call('fulfilment-service', 'get', '/reservations', 403, { query: { orderId }, headers: auth('fulfilmentReadOnly') });
    await call('fulfilment-service', 'get', '/admin/carrier/faults', 200, { headers: auth('fulfilmentReadOnly') });
    await call('fulfilment-service', 'post', '/admin/carrier/faults', 400, { body: {}, headers: auth('fulfilment', randomUUID()) });
    await call('fulfilment-service', 'post', '/admin/carrier/faults', 200, { body: { failRate: 0 }, headers: auth('fulfilment', randomUUID()) });
    await call('fulfilment-service', 'delete', '/admin/carrier/faults', 200, { headers: auth('fulfilment') });
  });

  it('notification-service', async () => {
    await call('notification-service', 'get', '/notifications', 200, { query: { orderId }, headers: auth('notifications') });
    await call('notification-service', 'get', '/notifications', 400, { query: { orderId: 'x' }, headers: auth('notifications') });
    await call('notification-service', 'get', '/notifications', 401, { query: { orderId }, headers: { authorization: 'Basic abc' } });
  });

  it('processor-sim', async () => {
    const key = saga.info.services['processor-sim']!.env['PROCESSOR_API_KEY']!;
    const bearer = (idempotencyKey?: string) => ({ authorization: `Bearer ${key}`, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) });
    const reference = `openapi-${randomUUID()}`;
    const authorise = { amount: 5000, currency: 'EUR', paymentMethod: 'tok_visa_approve', reference };
    const authKey = randomUUID();
    const auth1 = json<{ id: string }>(await call('processor-sim', 'post', '/v1/authorisations', 201, { body: authorise, headers: bearer(authKey) }));
    await call('processor-sim', 'post', '/v1/authorisations', 402, { body: { ...authorise, paymentMethod: 'tok_decline' }, headers: bearer(randomUUID()) });
    await call('processor-sim', 'post', '/v1/authorisations', 422, { body: { ...authorise, amount: 1 }, headers: bearer(authKey) });
    await call('processor-sim', 'post', '/v1/authorisations', 400, { body: authorise, headers: bearer() });
    await call('processor-sim', 'post', '/v1/authorisations', 401, { body: authorise });
    const id = { id: auth1.id };
    await call('processor-sim', 'post', '/v1/authorisations/{id}/capture', 200, { params: id, body: { amount: 3000 }, headers: bearer(randomUUID()) });
    await call('processor-sim', 'post', '/v1/authorisations/{id}/void', 409, { params: id, headers: bearer(randomUUID()) });
    await call('processor-sim', 'post', '/v1/authorisations/{id}/refunds', 200, { params: id, body: { amount: 1000 }, headers: bearer(randomUUID()) });
    await call('processor-sim', 'post', '/v1/authorisations/{id}/refunds', 400, { params: id, body: { amount: 999_999 }, headers: bearer(randomUUID()) });
    await call('processor-sim', 'post', '/v1/authorisations/{id}/capture', 404, { params: { id: `auth_${randomUUID()}` }, body: {}, headers: bearer(randomUUID()) });
    const second = json<{ id: string }>(await call('processor-sim', 'post', '/v1/authorisations', 201, { body: { ...authorise, amount: 700 }, headers: bearer(randomUUID()) }));
    await call('processor-sim', 'post', '/v1/authorisations/{id}/void', 200, { params: { id: second.id }, headers: bearer(randomUUID()) });
    await call('processor-sim', 'get', '/v1/authorisations/{id}', 200, { params: id, headers: bearer() });
    await call('processor-sim', 'get', '/v1/authorisations/{id}', 404, { params: { id: 'auth_nope' }, headers: bearer() });
    await call('processor-sim', 'get', '/v1/authorisations', 200, { query: { reference }, headers: bearer() });
    await call('processor-sim', 'get', '/v1/authorisations', 400, { headers: bearer() });
    await call('processor-sim', 'get', '/v1/operations/{idempotencyKey}', 200, { params: { idempotencyKey: authKey }, headers: bearer() });
    await call('processor-sim', 'get', '/v1/operations/{idempotencyKey}', 404, { params: { idempotencyKey: randomUUID() }, headers: bearer() });
    const today = new Date().toISOString().slice(0, 10);
    await call('processor-sim', 'get', '/v1/settlements/{date}', 200, { params: { date: today }, headers: bearer() });
    await call('processor-sim', 'get', '/v1/settlements/{date}', 400, { params: { date: '2026-13-45' }, headers: bearer() });
    // the test controls (PROCESSOR_ADMIN_ENABLED on the test stack)
    await call('processor-sim', 'get', '/admin/records', 200, { query: { reference } });
    await call('processor-sim', 'get', '/admin/records', 400, {});
    await call('processor-sim', 'get', '/admin/webhooks', 200, { query: { reference } });
    const fault = json<{ id: string }>(await call('processor-sim', 'post', '/admin/faults', 201, { body: { operation: 'authorise', kind: 'latency', latencyMs: 1, count: 1, rate: 0 } }));
    await call('processor-sim', 'post', '/admin/faults', 400, { body: { operation: 'authorise', kind: 'latency' } });
    await call('processor-sim', 'get', '/admin/faults', 200);
    await call('processor-sim', 'delete', '/admin/faults/{id}', 200, { params: { id: fault.id } });
    await call('processor-sim', 'delete', '/admin/faults/{id}', 404, { params: { id: fault.id } });
    await call('processor-sim', 'delete', '/admin/faults', 200);
    const mode = json<object>(await call('processor-sim', 'get', '/admin/webhooks/mode', 200));
    await call('processor-sim', 'post', '/admin/webhooks/mode', 200, { body: mode });
    await call('processor-sim', 'post', '/admin/webhooks/mode', 400, { body: { duplicate: 'yes' } });
    await call('processor-sim', 'get', '/admin/settlements/{date}/discrepancies', 200, { params: { date: today } });
    await call('processor-sim', 'post', '/admin/settlements/{date}/discrepancies', 422, { params: { date: today }, body: { kind: 'drop', processorReference: 'cap_nope' } });
    await call('processor-sim', 'post', '/admin/settlements/{date}/discrepancies', 201, { params: { date: '2001-01-01' }, body: { kind: 'unknown', amount: 100, currency: 'EUR' } });
  });

  it('every response conformed, and every operation answered a success at least once', () => {
    expect(failures).toEqual([]);
    expect(SAGA_SERVICES.flatMap((s) => checkers.get(s)!.withoutSuccess().map((op) => `${s} ${op}`))).toEqual([]);
  });
});
