import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  EventContract,
  OrderCancelledV1,
  OrderPlacedV1,
  PayloadOf,
  PaymentAuthorisedV1,
  PaymentCapturedV1,
  PaymentRefundedV1,
  PaymentVoidedV1,
} from '@paystate/contracts';
import { failpointsEnv } from '@paystate/failpoints';
import { RawRecord, appendToOutbox } from '@paystate/messaging';
import { ServiceProcess, startServiceProcess } from '@paystate/stack';
import { KafkaTap, apiHeaders, committedOffset, createApiKey, moveGroupsToEnd, queryAsSuperuser, requestJson, testStack, waitFor } from '@paystate/testing';

/**
 * fulfilment-service as a real process on the real stack. Upstream facts (OrderPlaced, Payment*)
 * are published the way every event is: through a real outbox (order-service's database stands in
 * for the producers; each contract's aggregate type routes it to its topic) and Debezium. The
 * service is observed through its HTTP API, the events it emits on fulfilment.events and, for
 * invariants, its database. Every test uses fresh order ids and its own SKUs. Orders carry a
 * payment method that is not a processor token, so a payment-service running for another suite
 * fails them at once instead of authorising and capturing them behind this suite's back.
 */
const info = testStack();
const brokers = info.kafka.brokers;
const GROUP = 'fulfilment-service';
const DB = 'paystate_fulfilment';
const TOPICS = ['order.events', 'payment.events'];

const outbox = new DataSource({ type: 'postgres', url: info.services['order-service']!.databaseUrl, extra: { max: 4 } });
let fulfilment: ServiceProcess | undefined;
let url: string;
let tap: KafkaTap;
/** An operator's key with every fulfilment scope. */
let opsKey: string;
/** A key that may only read stock. */
let readerKey: string;

interface StockView { sku: string; onHand: number; reserved: number; available: number }
interface ShipmentView { id: string; status: string; items: { sku: string; quantity: number }[]; carrier: string; trackingNumber: string | null; reason: string | null; amount: number; currency: string }
interface ReservationView { id: string; status: string; items: { sku: string; quantity: number }[]; failureReason: string | null; releaseReason: string | null }
type Line = { sku: string; quantity: number };

const now = () => new Date().toISOString();
const newSku = (name: string) => `${name}-${randomUUID().slice(0, 8)}`.toUpperCase();

async function publishAll(events: { contract: EventContract; orderId: string; payload: unknown; id?: string }[]): Promise<void> {
  await outbox.transaction((manager) =>
    appendToOutbox(
      manager,
      events.map((e) => ({
        contract: e.contract,
        payload: e.payload,
        aggregateId: e.orderId,
        cause: { correlationId: e.orderId, causationId: randomUUID() },
        occurredAt: new Date(),
        ...(e.id ? { id: e.id } : {}),
      })),
    ),
  );
}

const publish = <C extends EventContract>(contract: C, orderId: string, payload: PayloadOf<C>, id?: string) => publishAll([{ contract, orderId, payload, ...(id ? { id } : {}) }]);

const orderPlaced = (orderId: string, lines: Line[]): PayloadOf<typeof OrderPlacedV1> => ({
  orderId,
  customerId: 'cus_fulfilment_int',
  customerEmail: 'fulfilment@example.com',
  currency: 'EUR',
  items: lines.map((l) => ({ ...l, unitPrice: 1000 })),
  total: lines.reduce((sum, l) => sum + l.quantity * 1000, 0),
  paymentMethod: 'pm_fulfilment_int_not_a_token',
  placedAt: now(),
});
const authorised = (orderId: string, amount = 2000): PayloadOf<typeof PaymentAuthorisedV1> => ({ paymentId: randomUUID(), orderId, amount, currency: 'EUR', authorisationId: `auth_${randomUUID()}`, authorisedAt: now() });
const captured = (orderId: string, amount = 2000): PayloadOf<typeof PaymentCapturedV1> => ({ paymentId: randomUUID(), orderId, amount, currency: 'EUR', captureId: `cap_${randomUUID()}`, capturedAt: now() });
const voided = (orderId: string): PayloadOf<typeof PaymentVoidedV1> => ({ paymentId: randomUUID(), orderId, amount: 2000, currency: 'EUR', reason: 'CAPTURE_FAILED', voidedAt: now() });
const refunded = (orderId: string): PayloadOf<typeof PaymentRefundedV1> => ({
  paymentId: randomUUID(),
  orderId,
  refundId: `ref_${randomUUID()}`,
  amount: 2000,
  refundedTotal: 2000,
  currency: 'EUR',
  reason: 'SHIPMENT_FAILED',
  refundedAt: now(),
});

/** OrderPlaced then PaymentAuthorised for a new order; resolves to the order id. */
/**
 * The order's lines, then its authorisation. The two travel on different topics, so nothing orders
 * them; waiting for the lines to be known makes the reservation's cause the authorisation (the
 * other order, authorisation first, has a test of its own).
 */
async function placeAndAuthorise(lines: Line[]): Promise<string> {
  const orderId = randomUUID();
  await publish(OrderPlacedV1, orderId, orderPlaced(orderId, lines));
  await waitFor(`fulfilment to know the lines of ${orderId}`, async () =>
    (await queryAsSuperuser(DB, 'SELECT 1 FROM fulfilment_order WHERE order_id = $1 AND lines IS NOT NULL', [orderId])).length > 0 ? true : undefined,
  );
  await publish(PaymentAuthorisedV1, orderId, authorised(orderId));
  return orderId;
}

const isEmitted = (orderId: string, type: string) => (r: RawRecord) => r.topic === 'fulfilment.events' && r.key === orderId && r.headers['eventType'] === type;
const emitted = (orderId: string, type: string) => tap.matching(isEmitted(orderId, type));
async function waitEmitted<T = Record<string, unknown>>(orderId: string, type: string): Promise<T> {
  const [record] = await tap.waitForRecords(`${type} for ${orderId}`, isEmitted(orderId, type));
  return JSON.parse(record!.value!) as T;
}

const api = <T>(path: string, init: { method?: string; body?: unknown; key?: string | null; idempotencyKey?: string } = {}) =>
  requestJson<T>(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.key === null ? {} : apiHeaders(init.key ?? opsKey, init.idempotencyKey),
    ...(init.body !== undefined ? { body: init.body } : {}),
  });

async function stock(sku: string, onHand: number): Promise<void> {
  const r = await api<StockView>(`/stock/${sku}`, { method: 'PUT', body: { onHand } });
  expect(r.status).toBe(200);
}
const stockOf = async (sku: string) => (await api<StockView>(`/stock/${sku}`)).body;
const shipmentsOf = async (orderId: string) => (await api<ShipmentView[]>(`/shipments?orderId=${orderId}`)).body;
const reservationsOf = async (orderId: string) => (await api<ReservationView[]>(`/reservations?orderId=${orderId}`)).body;

/** Waits until the service has committed the offset past a record this suite published (so it was handled). */
async function handled(orderId: string, type: string, nth = 1): Promise<void> {
  const records = await tap.waitForRecords(`${type} for ${orderId} on its topic`, (r) => r.key === orderId && r.headers['eventType'] === type, nth);
  const record = records[nth - 1]!;
  await waitFor(`${GROUP} to commit past ${type} of ${orderId}`, async () => ((await committedOffset(brokers, GROUP, record.topic, record.partition)) > Number(record.offset) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 300,
  });
}

beforeAll(async () => {
  await outbox.initialize();
  // Start after what earlier suites wrote for their own orders: this service must not act on them.
  await moveGroupsToEnd(brokers, [GROUP], TOPICS);
  tap = await KafkaTap.open(brokers, ['fulfilment.events', ...TOPICS]);
  fulfilment = await startServiceProcess(info, 'fulfilment-service');
  url = fulfilment.url;
  opsKey = await createApiKey('fulfilment-service', { clientId: 'int-ops', scopes: ['stock:read', 'stock:write', 'shipments:read'] });
  readerKey = await createApiKey('fulfilment-service', { clientId: 'int-reader', scopes: ['stock:read'] });
});

afterAll(async () => {
  await fulfilment?.stop();
  await tap?.close();
  await outbox.destroy();
});

describe('the stock API', () => {
  it('creates a SKU with PUT, shows it with GET, and refuses bad input, missing keys and missing scopes', async () => {
    const sku = newSku('API');
    expect((await api(`/stock/${sku}`)).status).toBe(404);
    expect((await api(`/stock/${sku}`)).headers.get('content-type')).toContain('application/problem+json');
    const created = await api<StockView>(`/stock/${sku}`, { method: 'PUT', body: { onHand: 4 } });
    expect(created).toMatchObject({ status: 200, body: { sku, onHand: 4, reserved: 0, available: 4 } });
    expect((await api<StockView>(`/stock/${sku}`, { key: readerKey })).body).toEqual({ sku, onHand: 4, reserved: 0, available: 4 });

    const unknownField = await api<{ errors: { field: string }[] }>(`/stock/${sku}`, { method: 'PUT', body: { onHand: 1, reserved: 0 } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([expect.objectContaining({ field: 'reserved' })]);
    expect((await api(`/stock/${sku}`, { method: 'PUT', body: { onHand: -1 } })).status).toBe(400);
    expect((await api(`/stock/${sku}`, { method: 'PUT', body: { onHand: 1.5 } })).status).toBe(400);
    expect((await api(`/stock/${sku}`, { method: 'PUT', body: {} })).status).toBe(400);
    expect((await api(`/stock/${sku}`, { key: null })).status).toBe(401);
    expect((await api(`/stock/${sku}`, { method: 'PUT', body: { onHand: 9 }, key: readerKey })).status).toBe(403);
    expect((await api(`/shipments?orderId=${randomUUID()}`, { key: readerKey })).status).toBe(403);
    expect((await api('/shipments?orderId=not-a-uuid')).status).toBe(400);
    expect(await stockOf(sku)).toMatchObject({ onHand: 4 });
  });
});

describe('the fulfilment saga steps', () => {
  it('reserves on PaymentAuthorised and dispatches on PaymentCaptured: StockReserved, ShipmentDispatched, stock consumed', async () => {
    const book = newSku('BOOK');
    const pen = newSku('PEN');
    await stock(book, 5);
    await stock(pen, 10);
    const orderId = await placeAndAuthorise([{ sku: book, quantity: 2 }, { sku: pen, quantity: 1 }, { sku: book, quantity: 1 }]);

    const reserved = await waitEmitted<{ reservationId: string; items: Line[] }>(orderId, 'StockReserved');
    expect(reserved.items).toEqual([{ sku: book, quantity: 3 }, { sku: pen, quantity: 1 }].sort((a, b) => (a.sku < b.sku ? -1 : 1)));
    expect(await stockOf(book)).toEqual({ sku: book, onHand: 5, reserved: 3, available: 2 });
    expect(await stockOf(pen)).toEqual({ sku: pen, onHand: 10, reserved: 1, available: 9 });

    await publish(PaymentCapturedV1, orderId, captured(orderId, 4000));
    const dispatched = await waitEmitted<{ shipmentId: string; trackingNumber: string; carrier: string; amount: number; currency: string; items: Line[] }>(orderId, 'ShipmentDispatched');
    expect(dispatched).toMatchObject({ carrier: 'paystate-post', amount: 4000, currency: 'EUR', items: reserved.items });
    expect(await stockOf(book)).toEqual({ sku: book, onHand: 2, reserved: 0, available: 2 });
    expect(await stockOf(pen)).toEqual({ sku: pen, onHand: 9, reserved: 0, available: 9 });
    expect(await shipmentsOf(orderId)).toEqual([
      expect.objectContaining({ id: dispatched.shipmentId, status: 'DISPATCHED', trackingNumber: dispatched.trackingNumber, reason: null, amount: 4000, currency: 'EUR' }),
    ]);
    expect(await reservationsOf(orderId)).toEqual([expect.objectContaining({ id: reserved.reservationId, status: 'CONSUMED' })]);
    const log = await queryAsSuperuser<{ subject: string; from_status: string | null; to_status: string; cause_type: string }>(
      DB,
      'SELECT subject, from_status, to_status, cause_type FROM fulfilment_transition WHERE order_id = $1 ORDER BY id',
      [orderId],
    );
    expect(log).toEqual([
      { subject: 'RESERVATION', from_status: null, to_status: 'HELD', cause_type: 'PaymentAuthorised' },
      { subject: 'RESERVATION', from_status: 'HELD', to_status: 'CONSUMED', cause_type: 'PaymentCaptured' },
      { subject: 'SHIPMENT', from_status: null, to_status: 'DISPATCHED', cause_type: 'PaymentCaptured' },
    ]);
  });

  it('C2: a line short of stock fails the whole reservation (StockReservationFailed, nothing reserved); the void then releases nothing', async () => {
    const plenty = newSku('PLENTY');
    const scarce = newSku('SCARCE');
    await stock(plenty, 10);
    await stock(scarce, 1);
    const orderId = await placeAndAuthorise([{ sku: plenty, quantity: 2 }, { sku: scarce, quantity: 2 }]);
    const failed = await waitEmitted(orderId, 'StockReservationFailed');
    expect(failed).toMatchObject({ reason: 'OUT_OF_STOCK', unavailable: [{ sku: scarce, requested: 2, available: 1 }] });
    expect(await stockOf(plenty)).toMatchObject({ reserved: 0, available: 10 });
    expect(await stockOf(scarce)).toMatchObject({ reserved: 0, available: 1 });
    expect(await reservationsOf(orderId)).toEqual([expect.objectContaining({ status: 'FAILED', failureReason: 'OUT_OF_STOCK' })]);

    await publish(PaymentVoidedV1, orderId, { ...voided(orderId), reason: 'STOCK_UNAVAILABLE' });
    await handled(orderId, 'PaymentVoided');
    expect(emitted(orderId, 'StockReleased')).toHaveLength(0);
  });

  it('C2: an unknown SKU fails the reservation with UNKNOWN_SKU', async () => {
    const known = newSku('KNOWN');
    await stock(known, 3);
    const ghost = newSku('GHOST');
    const orderId = await placeAndAuthorise([{ sku: known, quantity: 1 }, { sku: ghost, quantity: 1 }]);
    expect(await waitEmitted(orderId, 'StockReservationFailed')).toMatchObject({ reason: 'UNKNOWN_SKU', unavailable: [{ sku: ghost, requested: 1, available: 0 }] });
    expect(await stockOf(known)).toMatchObject({ reserved: 0 });
  });

  it('parks a PaymentAuthorised that arrives before its OrderPlaced and reserves when the order arrives', async () => {
    const sku = newSku('LATE');
    await stock(sku, 2);
    const orderId = randomUUID();
    await publish(PaymentAuthorisedV1, orderId, authorised(orderId));
    await handled(orderId, 'PaymentAuthorised');
    expect(emitted(orderId, 'StockReserved')).toHaveLength(0);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0 });

    await publish(OrderPlacedV1, orderId, orderPlaced(orderId, [{ sku, quantity: 2 }]));
    expect(await waitEmitted(orderId, 'StockReserved')).toMatchObject({ items: [{ sku, quantity: 2 }] });
    expect(await stockOf(sku)).toEqual({ sku, onHand: 2, reserved: 2, available: 0 });
  });

  it('C4: an UNSHIPPABLE- item fails the shipment and keeps the stock held; PaymentRefunded releases it', async () => {
    const sku = newSku('UNSHIPPABLE-LAMP');
    await stock(sku, 3);
    const orderId = await placeAndAuthorise([{ sku, quantity: 2 }]);
    await waitEmitted(orderId, 'StockReserved');
    await publish(PaymentCapturedV1, orderId, captured(orderId));
    const failed = await waitEmitted<{ reason: string; shipmentId: string }>(orderId, 'ShipmentFailed');
    expect(failed.reason).toContain(sku);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 3, reserved: 2, available: 1 });
    expect(await shipmentsOf(orderId)).toEqual([expect.objectContaining({ id: failed.shipmentId, status: 'FAILED', trackingNumber: null, reason: failed.reason })]);

    await publish(PaymentRefundedV1, orderId, refunded(orderId));
    expect(await waitEmitted(orderId, 'StockReleased')).toMatchObject({ reason: 'PAYMENT_REFUNDED', items: [{ sku, quantity: 2 }] });
    expect(await stockOf(sku)).toEqual({ sku, onHand: 3, reserved: 0, available: 3 });
    expect(await reservationsOf(orderId)).toEqual([expect.objectContaining({ status: 'RELEASED', releaseReason: 'PAYMENT_REFUNDED' })]);

    // the order is then cancelled: nothing is held any more, so nothing happens
    await publish(OrderCancelledV1, orderId, { orderId, customerId: 'cus_fulfilment_int', customerEmail: 'fulfilment@example.com', reason: 'SHIPMENT_FAILED', refunded: true, detail: 'shipment failed', cancelledAt: now() });
    await handled(orderId, 'OrderCancelled');
    expect(emitted(orderId, 'StockReleased')).toHaveLength(1);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, onHand: 3 });
  });

  it('C3: PaymentVoided releases the held reservation', async () => {
    const sku = newSku('VOID');
    await stock(sku, 4);
    const orderId = await placeAndAuthorise([{ sku, quantity: 3 }]);
    await waitEmitted(orderId, 'StockReserved');
    expect(await stockOf(sku)).toMatchObject({ reserved: 3, available: 1 });
    await publish(PaymentVoidedV1, orderId, voided(orderId));
    expect(await waitEmitted(orderId, 'StockReleased')).toMatchObject({ reason: 'PAYMENT_VOIDED', items: [{ sku, quantity: 3 }] });
    expect(await stockOf(sku)).toEqual({ sku, onHand: 4, reserved: 0, available: 4 });
  });

  it('an injected carrier fault (failNext: 1) fails exactly the next dispatch, counted down in the database', async () => {
    const sku = newSku('FAULT');
    await stock(sku, 5);
    expect((await api('/admin/carrier/faults', { method: 'POST', body: { failNext: 1 }, key: readerKey, idempotencyKey: randomUUID() })).status).toBe(403);
    expect((await api('/admin/carrier/faults', { method: 'POST', body: { failNext: -1 }, idempotencyKey: randomUUID() })).status).toBe(400);
    expect((await api('/admin/carrier/faults', { method: 'POST', body: { failRate: 2 }, idempotencyKey: randomUUID() })).status).toBe(400);
    // a state-changing POST: no Idempotency-Key, no change (SPEC §5)
    expect((await api('/admin/carrier/faults', { method: 'POST', body: { failNext: 1 } })).status).toBe(400);
    const idempotencyKey = randomUUID();
    const set = await api('/admin/carrier/faults', { method: 'POST', body: { failNext: 1 }, idempotencyKey });
    expect(set).toMatchObject({ status: 200, body: { failNext: 1, failRate: 0 } });
    try {
      const first = await placeAndAuthorise([{ sku, quantity: 1 }]);
      const second = await placeAndAuthorise([{ sku, quantity: 1 }]);
      await waitEmitted(first, 'StockReserved');
      await waitEmitted(second, 'StockReserved');
      await publish(PaymentCapturedV1, first, captured(first));
      expect(await waitEmitted(first, 'ShipmentFailed')).toMatchObject({ reason: 'carrier unavailable (injected fault)' });
      expect((await api('/admin/carrier/faults')).body).toEqual({ failNext: 0, failRate: 0 });
      // the client's retry of the same request replays its answer and does not re-arm the spent fault
      const replay = await api('/admin/carrier/faults', { method: 'POST', body: { failNext: 1 }, idempotencyKey });
      expect(replay).toMatchObject({ status: 200, body: { failNext: 1, failRate: 0 } });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await api('/admin/carrier/faults')).body).toEqual({ failNext: 0, failRate: 0 });
      await publish(PaymentCapturedV1, second, captured(second));
      await waitEmitted(second, 'ShipmentDispatched');
      expect(await stockOf(sku)).toEqual({ sku, onHand: 4, reserved: 1, available: 3 });
    } finally {
      expect((await api('/admin/carrier/faults', { method: 'DELETE' })).body).toEqual({ failNext: 0, failRate: 0 });
    }
  });

  it('PUT /stock refuses (409) to set on hand below what is reserved', async () => {
    const sku = newSku('HELD');
    await stock(sku, 5);
    const orderId = await placeAndAuthorise([{ sku, quantity: 3 }]);
    await waitEmitted(orderId, 'StockReserved');
    const refused = await api<{ type: string; status: number }>(`/stock/${sku}`, { method: 'PUT', body: { onHand: 2 } });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.type).toMatch(/stock-below-reserved$/);
    expect((await api<StockView>(`/stock/${sku}`, { method: 'PUT', body: { onHand: 3 } })).body).toEqual({ sku, onHand: 3, reserved: 3, available: 0 });
  });
});

describe('delivery guarantees', () => {
  it('the same PaymentAuthorised delivered twice (same event id) reserves once; a second PaymentCaptured (another id) ships once', async () => {
    const sku = newSku('TWICE');
    await stock(sku, 10);
    const orderId = randomUUID();
    const eventId = randomUUID();
    const payment = authorised(orderId);
    await publish(OrderPlacedV1, orderId, orderPlaced(orderId, [{ sku, quantity: 2 }]));
    await publish(PaymentAuthorisedV1, orderId, payment, eventId);
    await publish(PaymentAuthorisedV1, orderId, payment, eventId);
    await publish(PaymentCapturedV1, orderId, captured(orderId));
    await publish(PaymentCapturedV1, orderId, captured(orderId));
    await waitEmitted(orderId, 'ShipmentDispatched');
    await handled(orderId, 'PaymentCaptured', 2);

    const authorisations = tap.matching((r) => r.key === orderId && r.headers['eventType'] === 'PaymentAuthorised');
    expect(authorisations.map((r) => r.headers['id'])).toEqual([eventId, eventId]);
    expect(emitted(orderId, 'StockReserved')).toHaveLength(1);
    expect(emitted(orderId, 'ShipmentDispatched')).toHaveLength(1);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 8, reserved: 0, available: 8 });
    const inbox = await queryAsSuperuser<{ n: string }>(DB, `SELECT count(*) AS n FROM inbox WHERE event_id = $1`, [eventId]);
    expect(Number(inbox[0]!.n)).toBe(1);
  });

  it('a PaymentCaptured with no held reservation breaks an invariant: dead-lettered, not retried forever', async () => {
    const orderId = randomUUID();
    const eventId = randomUUID();
    await publish(PaymentCapturedV1, orderId, captured(orderId), eventId);
    const [letter] = await waitFor('the dead letter', async () => {
      const rows = await queryAsSuperuser<{ error_kind: string; error: string }>(DB, 'SELECT error_kind, error FROM dead_letter WHERE event_id = $1', [eventId]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(letter).toMatchObject({ error_kind: 'poison' });
    expect(letter!.error).toContain('no reservation');
    expect(await shipmentsOf(orderId)).toEqual([]);
  });

  it('20 orders racing for 5 units: exactly 5 reserved, 15 refused, never oversold (and the database refuses overselling itself)', async () => {
    const sku = newSku('RACE');
    await stock(sku, 5);
    const orderIds = Array.from({ length: 20 }, () => randomUUID());
    await publishAll(orderIds.map((orderId) => ({ contract: OrderPlacedV1, orderId, payload: orderPlaced(orderId, [{ sku, quantity: 1 }]) })));
    await publishAll(orderIds.map((orderId) => ({ contract: PaymentAuthorisedV1, orderId, payload: authorised(orderId) })));

    const outcomes = await waitFor(
      'an outcome for all 20 orders',
      () => {
        const reserved = orderIds.filter((id) => emitted(id, 'StockReserved').length > 0);
        const failed = orderIds.filter((id) => emitted(id, 'StockReservationFailed').length > 0);
        return reserved.length + failed.length >= 20 ? { reserved, failed } : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(outcomes.reserved).toHaveLength(5);
    expect(outcomes.failed).toHaveLength(15);
    expect(orderIds.every((id) => emitted(id, 'StockReserved').length + emitted(id, 'StockReservationFailed').length === 1)).toBe(true);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 5, reserved: 5, available: 0 });
    const held = await queryAsSuperuser<{ n: string }>(DB, `SELECT count(*) AS n FROM reservation WHERE status = 'HELD' AND items @> $1::jsonb`, [JSON.stringify([{ sku }])]);
    expect(Number(held[0]!.n)).toBe(5);

    // whatever the code did, the database itself refuses a reservation beyond what is on hand
    await expect(queryAsSuperuser(DB, 'UPDATE stock SET reserved = reserved + 1 WHERE sku = $1', [sku])).rejects.toThrow(/stock_reserved_within_on_hand/);
  });

  it('kills fulfilment-service after the commit of a PaymentCaptured, before its offset: restarted, the redelivery ships nothing twice', async () => {
    const sku = newSku('CRASH');
    await stock(sku, 3);
    const orderId = await placeAndAuthorise([{ sku, quantity: 1 }]);
    await waitEmitted(orderId, 'StockReserved');

    await fulfilment!.stop();
    fulfilment = undefined;
    const crashing = await startServiceProcess(info, 'fulfilment-service', { PAYSTATE_FAILPOINTS: failpointsEnv({ 'consumer.after-db-commit:PaymentCaptured': 'kill' }) });
    await publish(PaymentCapturedV1, orderId, captured(orderId));
    const exit = await crashing.waitForExit();
    expect(exit.signal).toBe('SIGKILL');
    // the crash came after the commit: the shipment and its outbox event are durable
    const shipments = await queryAsSuperuser<{ status: string }>(DB, 'SELECT status FROM shipment WHERE order_id = $1', [orderId]);
    expect(shipments).toEqual([{ status: 'DISPATCHED' }]);

    fulfilment = await startServiceProcess(info, 'fulfilment-service');
    await handled(orderId, 'PaymentCaptured');
    await waitEmitted(orderId, 'ShipmentDispatched');
    expect(emitted(orderId, 'ShipmentDispatched')).toHaveLength(1);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 2, reserved: 0, available: 2 });
    expect(await shipmentsOf(orderId)).toHaveLength(1);
  });
});
