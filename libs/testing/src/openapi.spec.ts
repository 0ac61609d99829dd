import { OpenApiResponseChecker, committedOpenApi } from './openapi';

const response = (status: number, contentType: string, body: unknown) => ({ status, headers: new Headers({ 'content-type': contentType }), text: typeof body === 'string' ? body : JSON.stringify(body) });

const order = {
  id: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
  status: 'PENDING',
  cancellationReason: null,
  cancellationDetail: null,
  refunded: false,
  paymentStatus: null,
  fulfilmentStatus: null,
  shipment: null,
  customerId: 'cus_1',
  currency: 'EUR',
  total: 2500,
  items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
  placedAt: '2026-01-02T03:04:05.678Z',
  updatedAt: '2026-01-02T03:04:05.678Z',
};

describe('OpenApiResponseChecker (on docs/openapi/order-service.json)', () => {
  const checker = () => new OpenApiResponseChecker(committedOpenApi('order-service'));

  it('accepts a body that matches its schema, following $refs into the components', () => {
    expect(checker().problems('get', '/orders/{id}', response(200, 'application/json; charset=utf-8', order))).toEqual([]);
    const problem = { type: 'https://paystate.dev/problems/not-found', title: 'Order not found', status: 404, detail: 'No order.' };
    expect(checker().problems('get', '/orders/{id}', response(404, 'application/problem+json', problem))).toEqual([]);
  });

  it('refuses a missing field, an undocumented field, a wrong type and a bad date-time', () => {
    const { total: _total, ...withoutTotal } = order;
    for (const body of [withoutTotal, { ...order, secret: 1 }, { ...order, total: '25' }, { ...order, placedAt: 'yesterday' }]) {
      expect(checker().problems('get', '/orders/{id}', response(200, 'application/json', body))).not.toEqual([]);
    }
  });

  it('refuses an undocumented status, an undocumented media type and an unknown operation', () => {
    expect(checker().problems('get', '/orders/{id}', response(418, 'application/json', {}))[0]).toMatch(/not documented/);
    expect(checker().problems('get', '/orders/{id}', response(200, 'text/html', '<p>')).join()).toMatch(/media type text\/html/);
    expect(checker().problems('patch', '/orders/{id}', response(200, 'application/json', order)).join()).toMatch(/no such operation/);
  });

  it('lists the operations that never answered a success', () => {
    const c = checker();
    c.problems('get', '/orders/{id}', response(200, 'application/json', order));
    c.problems('get', '/orders/{id}/timeline', response(404, 'application/problem+json', { type: 'x', title: 'x', status: 404 }));
    expect(c.withoutSuccess()).not.toContain('get /orders/{id}');
    expect(c.withoutSuccess()).toContain('get /orders/{id}/timeline');
  });
});
