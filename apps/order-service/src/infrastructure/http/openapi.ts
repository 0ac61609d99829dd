import { z } from 'zod';
import {
  BODY_REFUSALS,
  IDEMPOTENCY_REFUSALS,
  OpenApiDocument,
  buildServiceDocument,
  idempotencyKeyHeader,
  jsonContent,
  problemContent,
  responses,
  sagaMonitorPaths,
  secured,
} from '@paystate/service-runtime';
import type { OrderView } from '../../application/get-order/get-order';
import type { TimelineView } from '../../application/timeline/timeline';
import { placeOrderRequest } from './place-order.request';
import { ORDER_SCOPES } from './scopes';

// order-service's OpenAPI document (docs/openapi/order-service.json, GET /openapi.json), from the
// zod schemas that validate its requests and describe its answers.

const orderCreatedSchema = z.object({ id: z.uuid(), status: z.string(), total: z.number().int(), currency: z.string() }).meta({ id: 'OrderCreated' });

const orderViewSchema = z
  .object({
    id: z.uuid(),
    status: z.string().meta({ examples: ['PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED'] }),
    cancellationReason: z.string().nullable(),
    cancellationDetail: z.string().nullable(),
    refunded: z.boolean().describe('true when a cancelled order’s captured money was refunded'),
    paymentStatus: z.string().nullable().describe('The payment’s status as its facts reported it; null until the first one arrives.'),
    fulfilmentStatus: z.string().nullable(),
    shipment: z.object({ id: z.string(), carrier: z.string(), trackingNumber: z.string() }).nullable(),
    customerId: z.string(),
    currency: z.string(),
    total: z.number().int(),
    items: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPrice: z.number().int() })),
    placedAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Order' }) satisfies z.ZodType<OrderView>;

const timelineSchema = z
  .object({
    orderId: z.uuid(),
    events: z.array(
      z.object({
        eventId: z.string(),
        service: z.string(),
        topic: z.string(),
        type: z.string(),
        version: z.number().int(),
        causationId: z.string().nullable(),
        occurredAt: z.iso.datetime(),
        recordedAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: 'Timeline' }) satisfies z.ZodType<TimelineView>;

const orderId = z.object({ id: z.uuid() });
const notFound = { '400': problemContent('The order id is not a UUID.'), '404': problemContent('No such order.') };

export function orderServiceOpenApi(): OpenApiDocument {
  const write = secured([ORDER_SCOPES.write]);
  const read = secured([ORDER_SCOPES.read]);
  return buildServiceDocument({
    service: 'order-service',
    version: '1',
    description: 'Places orders and follows each one’s saga (SPEC §5). Every route but /health, /metrics and /openapi.json needs a bearer API key.',
    paths: {
      '/orders': {
        post: {
          operationId: 'placeOrder',
          tags: ['orders'],
          summary: 'Place an order (idempotent)',
          security: write.security,
          requestParams: { header: z.object({ 'idempotency-key': idempotencyKeyHeader }) },
          requestBody: { required: true, content: { 'application/json': { schema: placeOrderRequest } } },
          responses: responses(
            { '201': jsonContent('The order is placed; its saga has started.', orderCreatedSchema) },
            BODY_REFUSALS,
            { '400': problemContent('The Idempotency-Key header is missing or invalid, or the order total is out of range.') },
            IDEMPOTENCY_REFUSALS,
            write.responses,
          ),
        },
      },
      '/orders/{id}': {
        get: {
          operationId: 'getOrder',
          tags: ['orders'],
          summary: 'An order and where its saga stands',
          security: read.security,
          requestParams: { path: orderId },
          responses: responses({ '200': jsonContent('The order.', orderViewSchema) }, notFound, read.responses),
        },
      },
      '/orders/{id}/timeline': {
        get: {
          operationId: 'getOrderTimeline',
          tags: ['orders'],
          summary: 'Every event of the order across services, in the order they happened',
          security: read.security,
          requestParams: { path: orderId },
          responses: responses({ '200': jsonContent('The order’s events.', timelineSchema) }, notFound, read.responses),
        },
      },
      ...sagaMonitorPaths(ORDER_SCOPES.operateSagas),
    },
  });
}
