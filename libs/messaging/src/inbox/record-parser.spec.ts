import { DeadLetterV1, OrderPlacedV1 } from '@paystate/contracts';
import type { EventHandlerDefinition } from './consumed-event';
import { HandlerTable, RawRecord } from './record-parser';

const handler = (name = 'payment-service.OrderPlaced'): EventHandlerDefinition => ({ contract: OrderPlacedV1, name, handle: async () => undefined });

const aRecord = (overrides: Partial<RawRecord> = {}, headers: Record<string, string | undefined> = {}): RawRecord => {
  const base: Record<string, string | undefined> = {
    id: '5f0c3a4e-1d2b-4c3d-9e8f-7a6b5c4d3e2f',
    eventType: 'OrderPlaced',
    eventVersion: '1',
    correlationId: OrderPlacedV1.example.orderId,
    causationId: 'c0ffee00-0000-4000-8000-000000000001',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ...headers,
  };
  return {
    topic: 'order.events',
    partition: 1,
    offset: '42',
    key: OrderPlacedV1.example.orderId,
    headers: Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined)),
    value: JSON.stringify(OrderPlacedV1.example),
    timestamp: '1795000000000',
    ...overrides,
  };
};

describe('HandlerTable.parse', () => {
  const table = new HandlerTable('payment-service', [handler()]);

  it('given a valid OrderPlaced v1, then it is an event for its handler with decoded metadata', () => {
    const parsed = table.parse(aRecord());
    expect(parsed).toEqual({
      kind: 'event',
      handler: expect.objectContaining({ name: 'payment-service.OrderPlaced' }),
      event: expect.objectContaining({
        id: '5f0c3a4e-1d2b-4c3d-9e8f-7a6b5c4d3e2f',
        type: 'OrderPlaced',
        version: 1,
        partition: 1,
        offset: '42',
        correlationId: OrderPlacedV1.example.orderId,
        causationId: 'c0ffee00-0000-4000-8000-000000000001',
        payload: OrderPlacedV1.example,
      }),
    });
  });

  it('given the occurredAt header Debezium copies from the outbox, then the event carries it; without it, the record time', () => {
    const withHeader = table.parse(aRecord({}, { occurredAt: '2026-11-22T10:00:00.123456Z' }));
    expect(withHeader).toMatchObject({ kind: 'event', event: { occurredAt: '2026-11-22T10:00:00.123Z' } });
    const without = table.parse(aRecord({ timestamp: '1795000000000' }, { occurredAt: undefined }));
    expect(without).toMatchObject({ kind: 'event', event: { occurredAt: new Date(1795000000000).toISOString() } });
  });

  it('given a type nobody here handles, then it is ignored, not poison', () => {
    expect(table.parse(aRecord({}, { eventType: 'OrderConfirmed' }))).toEqual({ kind: 'ignored', type: 'OrderConfirmed' });
  });

  it('given an unknown version of a handled type, then it is poison naming the versions known', () => {
    const parsed = table.parse(aRecord({}, { eventVersion: '7' }));
    expect(parsed).toMatchObject({ kind: 'poison', handlerName: 'payment-service.OrderPlaced', reason: expect.stringContaining('unknown version 7') });
  });

  it('given a payload that violates the contract, then it is poison naming the field', () => {
    const parsed = table.parse(aRecord({ value: JSON.stringify({ ...OrderPlacedV1.example, total: 'lots' }) }));
    expect(parsed).toMatchObject({ kind: 'poison', reason: expect.stringContaining('total') });
  });

  it('given a value that is not JSON, then it is poison', () => {
    expect(table.parse(aRecord({ value: '{oops' }))).toMatchObject({ kind: 'poison', reason: 'value is not JSON' });
  });

  it('given no usable id header, then it is poison with a stable id derived from its position', () => {
    const a = table.parse(aRecord({}, { id: 'not-a-uuid' }));
    const b = table.parse(aRecord({}, { id: undefined }));
    expect(a).toMatchObject({ kind: 'poison', reason: expect.stringContaining('header id') });
    expect(a.kind === 'poison' && b.kind === 'poison' && a.eventId === b.eventId).toBe(true);
    const elsewhere = table.parse(aRecord({ offset: '43' }, { id: undefined }));
    expect(elsewhere.kind === 'poison' && a.kind === 'poison' && elsewhere.eventId !== a.eventId).toBe(true);
  });

  it('given no eventType header, then it is poison', () => {
    expect(table.parse(aRecord({}, { eventType: undefined }))).toMatchObject({ kind: 'poison', handlerName: 'payment-service.unknown' });
  });

  it('given an event on another topic with the same type name, then it is ignored', () => {
    expect(table.parse(aRecord({ topic: 'payment.events' }))).toEqual({ kind: 'ignored', type: 'OrderPlaced' });
  });

  it('refuses two handlers for the same type and version', () => {
    expect(() => new HandlerTable('g', [handler('a'), handler('b')])).toThrow('two handlers for OrderPlaced v1');
  });

  it('lists each subscribed topic once', () => {
    const dlqHandler: EventHandlerDefinition = { contract: DeadLetterV1, name: 'ops.DeadLetter', handle: async () => undefined };
    expect(new HandlerTable('g', [handler(), dlqHandler]).topics.sort()).toEqual(['deadletter.events', 'order.events']);
  });
});
