import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  EventContract,
  LedgerEntryPostedV1,
  NotificationSentV1,
  PayloadOf,
  PaymentAuthorisedV1,
  PaymentCapturedV1,
  PaymentRefundedV1,
  ShipmentDispatchedV1,
  ShipmentFailedV1,
  StockReleasedV1,
  StockReservedV1,
} from '@paystate/contracts';
import { anOrderRequest, apiHeaders, requestJson, requestRaw } from '@paystate/testing';
import { EmittedEvent, OrderServiceUnderTest, orderServiceUnderTest } from './support/order-service';

/**
 * order-service on a database of its own, its HTTP API and its consumers' handlers in this process:
 * what an order looks like, and what its timeline says, once the other services' facts have come in,
 * in whatever order they come. The facts are handed to the handlers the way the idempotent consumer
 * does (one transaction each); the order is read back through GET /orders/:id and its timeline.
 * e2e/saga/order-api.e2e.spec.ts covers the API's rules against the running service (keys, scopes,
 * Idempotency-Key replays, crashes); this spec covers what it cannot stage: the arrival order of facts,
 * and requests raced without any hook holding them.
 */
let service: OrderServiceUnderTest;
let key: string;

beforeAll(async () => {
  Logger.overrideLogger(false);
  service = await orderServiceUnderTest('saga');
  key = await service.apiKey(['orders:write', 'orders:read']);
});

afterAll(async () => {
  Logger.overrideLogger(['log', 'warn', 'error']);
  await service?.close();
});

interface Created {
  id: string;
  status: string;
  total: number;
  currency: string;
}
interface TimelineEvent {
  eventId: string;
  service: string;
  type: string;
  causationId: string | null;
  occurredAt: string;
  recordedAt: string;
}

const placeOrder = async (body: object = anOrderRequest(), idempotencyKey: string = randomUUID()) =>
  requestRaw(`${service.url}/orders`, { method: 'POST', body, headers: apiHeaders(key, idempotencyKey) });
const placed = async (): Promise<{ id: string; placedAt: number }> => {
  const response = await placeOrder();
  expect(response.status).toBe(201);
  return { id: (JSON.parse(response.text) as Created).id, placedAt: Date.now() };
};
const orderView = async (id: string) => (await requestJson<Record<string, unknown>>(`${service.url}/orders/${id}`, { headers: apiHeaders(key) })).body;
const timelineOf = async (id: string) => (await requestJson<{ events: TimelineEvent[] }>(`${service.url}/orders/${id}/timeline`, { headers: apiHeaders(key) })).body.events;

/** A fact of another service about the order: its contract's example, for this order. */
const fact = <C extends EventContract>(contract: C, orderId: string, overrides: Partial<PayloadOf<C>> = {}): PayloadOf<C> =>
  ({ ...(contract.example as object), orderId, ...overrides }) as PayloadOf<C>;
const at = (base: number, ms: number) => new Date(base + ms);
const types = (emitted: EmittedEvent[]) => emitted.map((e) => e.type);

describe('the order follows facts in whatever order they arrive', () => {
  it('given the dispatch before the capture, when every fact is in, then the order is COMPLETED with one confirmation and one completion, and its timeline lists what happened in the order it happened', async () => {
    const { id, placedAt: t } = await placed();
    const shipmentId = randomUUID();
    const dispatch = randomUUID();
    // what happened: authorised +100 ms, reserved +200, captured +300, dispatched +400; what arrives: reserved,
    // authorised, the dispatch, then the late capture, then a journal and a notification (ctx.now is the arrival)
    expect(types(await service.deliver(StockReservedV1, fact(StockReservedV1, id), { occurredAt: at(t, 200), now: at(t, 500) }))).toEqual([]);
    expect(types(await service.deliver(PaymentAuthorisedV1, fact(PaymentAuthorisedV1, id), { occurredAt: at(t, 100), now: at(t, 600) }))).toEqual([]);
    const onDispatch = await service.deliver(ShipmentDispatchedV1, fact(ShipmentDispatchedV1, id, { shipmentId, carrier: 'paystate-post', trackingNumber: 'PS-INT-1' }), {
      id: dispatch,
      occurredAt: at(t, 400),
      now: at(t, 700),
    });
    expect(types(onDispatch)).toEqual(['OrderConfirmed', 'OrderCompleted']);
    expect(onDispatch[1]!.payload).toMatchObject({ orderId: id, shipmentId, carrier: 'paystate-post', trackingNumber: 'PS-INT-1' });
    expect(types(await service.deliver(PaymentCapturedV1, fact(PaymentCapturedV1, id), { occurredAt: at(t, 300), now: at(t, 800) }))).toEqual([]);
    expect(types(await service.deliver(LedgerEntryPostedV1, fact(LedgerEntryPostedV1, id), { occurredAt: at(t, 850), now: at(t, 900) }))).toEqual([]);
    expect(types(await service.deliver(NotificationSentV1, fact(NotificationSentV1, id), { occurredAt: at(t, 950), now: at(t, 1000) }))).toEqual([]);

    expect(await orderView(id)).toMatchObject({
      id,
      status: 'COMPLETED',
      paymentStatus: 'CAPTURED',
      fulfilmentStatus: 'DISPATCHED',
      shipment: { id: shipmentId, carrier: 'paystate-post', trackingNumber: 'PS-INT-1' },
      cancellationReason: null,
    });

    const timeline = await timelineOf(id);
    expect(timeline.map((e) => e.type)).toEqual([
      'OrderPlaced',
      'PaymentAuthorised',
      'StockReserved',
      'PaymentCaptured',
      'ShipmentDispatched',
      'OrderConfirmed',
      'OrderCompleted',
      'LedgerEntryPosted',
      'NotificationSent',
    ]);
    expect(timeline.map((e) => e.service)).toEqual([
      'order-service',
      'payment-service',
      'fulfilment-service',
      'payment-service',
      'fulfilment-service',
      'order-service',
      'order-service',
      'ledger-service',
      'notification-service',
    ]);
    // the order's own events are on the timeline under the ids they were emitted with, caused by the dispatch
    const own = timeline.filter((e) => e.service === 'order-service' && e.type !== 'OrderPlaced');
    expect(own.map((e) => [e.eventId, e.type, e.causationId])).toEqual(onDispatch.map((e) => [e.id, e.type, dispatch]));
    // the late capture shows when it arrived, and sits where it happened
    expect(timeline.find((e) => e.type === 'PaymentCaptured')).toMatchObject({ occurredAt: at(t, 300).toISOString(), recordedAt: at(t, 800).toISOString() });
  });

  it('given a shipment that failed after the capture, when the refund lands, then the order is CANCELLED as refunded, once; the stock released afterwards only goes on the timeline', async () => {
    const { id } = await placed();
    expect(types(await service.deliver(PaymentCapturedV1, fact(PaymentCapturedV1, id)))).toEqual(['OrderConfirmed']);
    expect(types(await service.deliver(ShipmentFailedV1, fact(ShipmentFailedV1, id, { reason: 'carrier rejected the parcel' })))).toEqual([]);
    const refunded = await service.deliver(PaymentRefundedV1, fact(PaymentRefundedV1, id, { reason: 'SHIPMENT_FAILED', amount: 2500, refundedTotal: 2500 }));
    expect(refunded.map((e) => [e.type, e.payload])).toEqual([['OrderCancelled', expect.objectContaining({ orderId: id, reason: 'SHIPMENT_FAILED', refunded: true })]]);
    expect(types(await service.deliver(StockReleasedV1, fact(StockReleasedV1, id)))).toEqual([]);
    // the same refund told again (a redrive under a new event id) cancels nothing twice
    expect(types(await service.deliver(PaymentRefundedV1, fact(PaymentRefundedV1, id, { reason: 'SHIPMENT_FAILED', amount: 2500, refundedTotal: 2500 })))).toEqual([]);

    expect(await orderView(id)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'SHIPMENT_FAILED', refunded: true, paymentStatus: 'REFUNDED' });
    const timeline = (await timelineOf(id)).map((e) => e.type);
    expect(timeline.filter((t) => t === 'OrderCancelled')).toHaveLength(1);
    expect(timeline).toEqual(expect.arrayContaining(['OrderPlaced', 'PaymentCaptured', 'OrderConfirmed', 'ShipmentFailed', 'PaymentRefunded', 'OrderCancelled', 'StockReleased']));
    expect(timeline.filter((t) => t === 'PaymentRefunded')).toHaveLength(2);
  });

  it('refuses a fact about an order it does not know as poison (a dead letter), and records nothing of it', async () => {
    const unknown = randomUUID();
    await expect(service.deliver(PaymentCapturedV1, fact(PaymentCapturedV1, unknown))).rejects.toMatchObject({ name: 'PoisonMessageError' });
    expect((await requestJson(`${service.url}/orders/${unknown}/timeline`, { headers: apiHeaders(key) })).status).toBe(404);
  });
});

describe('Idempotency-Key under requests raced without any hook holding them', () => {
  const ordersOf = async (ids: string[]) => Promise.all([...new Set(ids)].map(orderView));

  it('given one key and one body sent five times at once, then there is one order: every 201 carries the same bytes, every other answer is 409', async () => {
    const idempotencyKey = randomUUID();
    const body = anOrderRequest();
    const answers = await Promise.all(Array.from({ length: 5 }, () => placeOrder(body, idempotencyKey)));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((a) => a.status !== 201).map((a) => a.status)).toEqual(Array(5 - created.length).fill(409));
    expect(new Set(created.map((a) => a.text)).size).toBe(1);
    expect(created.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);

    const id = (JSON.parse(created[0]!.text) as Created).id;
    expect(await ordersOf([id])).toEqual([expect.objectContaining({ id, customerId: body.customerId, status: 'PENDING' })]);
    // one OrderPlaced: the placement's event is on the timeline once
    expect((await timelineOf(id)).map((e) => e.type)).toEqual(['OrderPlaced']);
  });

  it('given one key sent at once with two different bodies, then one is placed and the other is refused as key reuse (422), whichever wins', async () => {
    const idempotencyKey = randomUUID();
    const bodies = [anOrderRequest({ items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 1000 }] }), anOrderRequest({ items: [{ sku: 'BOOK-1', quantity: 3, unitPrice: 1000 }] })];
    const answers = await Promise.all(bodies.map((b) => placeOrder(b, idempotencyKey)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const winner = answers.findIndex((a) => a.status === 201);
    const order = JSON.parse(answers[winner]!.text) as Created;
    expect(order.total).toBe(winner === 0 ? 1000 : 3000);
    expect(JSON.parse(answers[1 - winner]!.text)).toMatchObject({ status: 422, type: 'https://paystate.dev/problems/idempotency-key-reuse' });
    expect(await orderView(order.id)).toMatchObject({ customerId: bodies[winner]!.customerId });
    expect((await orderView(order.id)).customerId).not.toBe(bodies[1 - winner]!.customerId);
  });
});
