import { randomUUID } from 'node:crypto';
import { OrderPlacedV1 } from '@paystate/contracts';
import { failpointsEnv } from '@paystate/failpoints';
import { startServiceProcess, ServiceProcess } from '@paystate/stack';
import {
  KafkaTap,
  anOrderRequest,
  apiHeaders,
  committedOffset,
  createApiKey,
  queryAsSuperuser,
  requestJson,
  testStack,
  waitFor,
  waitForCaughtUp,
} from '@paystate/testing';

/**
 * The first vertical slice through HTTP and Kafka only: POST /orders → outbox → Debezium →
 * order.events → payment-service's idempotent consumer → a payment, authorised at the processor.
 */
const info = testStack();
const brokers = info.kafka.brokers;
const orderUrl = info.services['order-service']!.url;
const paymentUrl = info.services['payment-service']!.url;
let orderService: ServiceProcess;
let processor: ServiceProcess;
let paymentService: ServiceProcess | undefined;
let tap: KafkaTap;
/** An order-service API key (orders:write, orders:read); every POST also carries a fresh Idempotency-Key. */
let apiKey: string;
let paymentsKey: string;

interface PaymentView { id: string; orderId: string; status: string; amount: number; currency: string }

const paymentsOf = async (orderId: string): Promise<PaymentView[]> => (await requestJson<PaymentView[]>(`${paymentUrl}/payments?orderId=${orderId}`, { headers: apiHeaders(paymentsKey) })).body;

async function placeOrder(): Promise<string> {
  const response = await requestJson<{ id: string; status: string; total: number; currency: string }>(`${orderUrl}/orders`, { method: 'POST', body: anOrderRequest(), headers: apiHeaders(apiKey, randomUUID()) });
  expect(response.status).toBe(201);
  return response.body.id;
}

const duplicatesSeen = async (): Promise<number> => {
  const text = (await requestJson<string>(`${paymentUrl}/metrics`)).body;
  return text
    .split('\n')
    .filter((l) => l.startsWith('paystate_messages_consumed_total{') && l.includes('outcome="duplicate"') && l.includes('type="OrderPlaced"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};

beforeAll(async () => {
  tap = await KafkaTap.open(brokers, ['order.events']);
  apiKey = await createApiKey('order-service', { clientId: `saga-e2e-${randomUUID().slice(0, 8)}`, scopes: ['orders:write', 'orders:read'] });
  paymentsKey = await createApiKey('payment-service', { clientId: 'saga-e2e', scopes: ['payments:read'] });
  processor = await startServiceProcess(info, 'processor-sim');
  orderService = await startServiceProcess(info, 'order-service');
  paymentService = await startServiceProcess(info, 'payment-service');
});

afterAll(async () => {
  await tap?.close();
  await paymentService?.stop();
  await orderService?.stop();
  await processor?.stop();
});

it('POST /orders produces one OrderPlaced on order.events that payment-service consumes once', async () => {
  const request = anOrderRequest({ items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }, { sku: 'PEN-1', quantity: 1, unitPrice: 199 }] });
  const placed = await requestJson<{ id: string; status: string; total: number; currency: string }>(`${orderUrl}/orders`, { method: 'POST', body: request, headers: apiHeaders(apiKey, randomUUID()) });
  expect(placed.status).toBe(201);
  expect(placed.body).toEqual({ id: expect.any(String), status: 'PENDING', total: 2699, currency: 'EUR' });
  const orderId = placed.body.id;

  const [record] = await tap.waitForRecords('OrderPlaced', (r) => r.key === orderId);
  expect(record!.headers).toEqual(expect.objectContaining({ eventType: OrderPlacedV1.type, eventVersion: '1', correlationId: orderId }));
  expect(JSON.parse(record!.value!)).toEqual(expect.objectContaining({ orderId, total: 2699, currency: 'EUR', customerId: request.customerId }));

  const payments = await waitFor('the payment to be authorised', async () => {
    const found = await paymentsOf(orderId);
    return found[0]?.status === 'AUTHORISED' ? found : undefined;
  });
  expect(payments).toEqual([expect.objectContaining({ orderId, status: 'AUTHORISED', amount: 2699, currency: 'EUR' })]);

  const order = await requestJson<{ status: string }>(`${orderUrl}/orders/${orderId}`, { headers: apiHeaders(apiKey) });
  expect(order.body.status).toBe('PENDING');
});

it('kills payment-service after its database commit but before its offset commit: after restart, one payment, nothing lost', async () => {
  await waitForCaughtUp(brokers, 'payment-service', ['order.events']);
  await paymentService!.stop();
  paymentService = await startServiceProcess(info, 'payment-service', { PAYSTATE_FAILPOINTS: failpointsEnv({ 'consumer.after-db-commit': 'kill' }) });
  const crashing = paymentService;

  const orderId = await placeOrder();
  const [record] = await tap.waitForRecords('OrderPlaced', (r) => r.key === orderId);
  const exit = await crashing.waitForExit();
  expect(exit.signal).toBe('SIGKILL');

  // the effect and its inbox row committed; the offset did not
  const inbox = await queryAsSuperuser('paystate_payment', 'SELECT outcome FROM inbox WHERE event_id = $1', [record!.headers['id']]);
  expect(inbox).toEqual([{ outcome: 'processed' }]);
  expect(await committedOffset(brokers, 'payment-service', 'order.events', record!.partition)).toBeLessThanOrEqual(Number(record!.offset));

  paymentService = await startServiceProcess(info, 'payment-service');
  await waitForCaughtUp(brokers, 'payment-service', ['order.events']);
  expect(await duplicatesSeen()).toBeGreaterThanOrEqual(1);
  expect(await paymentsOf(orderId)).toEqual([expect.objectContaining({ orderId })]);
  const payments = await queryAsSuperuser<{ n: string }>('paystate_payment', 'SELECT count(*) AS n FROM payments WHERE order_id = $1', [orderId]);
  expect(Number(payments[0]!.n)).toBe(1);
});
