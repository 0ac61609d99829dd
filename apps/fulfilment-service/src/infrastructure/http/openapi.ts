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
  secured,
} from '@paystate/service-runtime';
import type { StockView } from '../../application/stock-levels/stock-levels';
import type { CarrierFaults } from '../../domain/carrier';
import type { ReservationView, ShipmentView } from '../persistence/fulfilment-queries';
import { faultRequest } from './carrier-faults.controller';
import { FULFILMENT_SCOPES } from './scopes';
import { SKU, setStockRequest } from './stock.controller';

// fulfilment-service's OpenAPI document (docs/openapi/fulfilment-service.json, GET /openapi.json), from
// the zod schemas that validate its requests and describe its answers.

const stockLine = z.object({ sku: z.string(), quantity: z.number().int() });

const stockSchema = z
  .object({ sku: z.string(), onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() })
  .meta({ id: 'Stock' }) satisfies z.ZodType<StockView>;

const shipmentSchema = z
  .object({
    id: z.string(),
    orderId: z.uuid(),
    reservationId: z.string(),
    status: z.string(),
    items: z.array(stockLine),
    carrier: z.string(),
    trackingNumber: z.string().nullable(),
    reason: z.string().nullable(),
    amount: z.number().int(),
    currency: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Shipment' }) satisfies z.ZodType<ShipmentView>;

const reservationSchema = z
  .object({
    id: z.string(),
    orderId: z.uuid(),
    status: z.string(),
    items: z.array(stockLine),
    failureReason: z.string().nullable(),
    unavailable: z.array(z.object({ sku: z.string(), requested: z.number().int(), available: z.number().int() })).nullable(),
    releaseReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Reservation' }) satisfies z.ZodType<ReservationView>;

const carrierFaultsSchema = z
  .object({ failNext: z.number().int().describe('Hand-overs still to fail.'), failRate: z.number().describe('Probability each hand-over fails.') })
  .meta({ id: 'CarrierFaults' }) satisfies z.ZodType<CarrierFaults>;

const skuParam = z.object({ sku: z.string().regex(SKU) });
const orderQuery = { query: z.object({ orderId: z.uuid() }) };
const badOrderId = { '400': problemContent('orderId is missing or not a UUID.') };

export function fulfilmentServiceOpenApi(): OpenApiDocument {
  const stockRead = secured([FULFILMENT_SCOPES.stockRead]);
  const stockWrite = secured([FULFILMENT_SCOPES.stockWrite]);
  const shipmentsRead = secured([FULFILMENT_SCOPES.shipmentsRead]);
  return buildServiceDocument({
    service: 'fulfilment-service',
    version: '1',
    description: 'Stock, reservations and shipments of orders (SPEC §7), with operator stock levels and carrier fault injection. Every route but /health, /metrics and /openapi.json needs a bearer API key.',
    paths: {
      '/stock/{sku}': {
        get: {
          operationId: 'getStock',
          tags: ['stock'],
          summary: 'A SKU’s stock: on hand, reserved, available',
          security: stockRead.security,
          requestParams: { path: skuParam },
          responses: responses({ '200': jsonContent('The stock.', stockSchema), '400': problemContent('The SKU is not 1–64 letters, digits, ".", "_" or "-".'), '404': problemContent('No stock is kept for the SKU.') }, stockRead.responses),
        },
        put: {
          operationId: 'setStock',
          tags: ['stock'],
          summary: 'Operator: set the on-hand count (creating the SKU); naturally idempotent',
          security: stockWrite.security,
          requestParams: { path: skuParam },
          requestBody: { required: true, content: { 'application/json': { schema: setStockRequest } } },
          responses: responses(
            { '200': jsonContent('The stock now.', stockSchema) },
            BODY_REFUSALS,
            { '400': problemContent('The SKU is not 1–64 letters, digits, ".", "_" or "-".'), '409': problemContent('On hand would be below what is reserved.') },
            stockWrite.responses,
          ),
        },
      },
      '/shipments': {
        get: {
          operationId: 'listShipmentsOfOrder',
          tags: ['shipments'],
          summary: 'The shipments of an order',
          security: shipmentsRead.security,
          requestParams: orderQuery,
          responses: responses({ '200': jsonContent('The order’s shipments (empty when it has none).', z.array(shipmentSchema)) }, badOrderId, shipmentsRead.responses),
        },
      },
      '/reservations': {
        get: {
          operationId: 'listReservationsOfOrder',
          tags: ['shipments'],
          summary: 'The stock reservations of an order',
          security: shipmentsRead.security,
          requestParams: orderQuery,
          responses: responses({ '200': jsonContent('The order’s reservations (empty when it has none).', z.array(reservationSchema)) }, badOrderId, shipmentsRead.responses),
        },
      },
      '/admin/carrier/faults': {
        get: {
          operationId: 'getCarrierFaults',
          tags: ['carrier faults'],
          summary: 'The simulated carrier’s injected faults',
          security: stockRead.security,
          responses: responses({ '200': jsonContent('The faults in force.', carrierFaultsSchema) }, stockRead.responses),
        },
        post: {
          operationId: 'injectCarrierFaults',
          tags: ['carrier faults'],
          summary: 'Fail the next n hand-overs and/or each with a probability (idempotent)',
          security: stockWrite.security,
          requestParams: { header: z.object({ 'idempotency-key': idempotencyKeyHeader }) },
          requestBody: { required: true, content: { 'application/json': { schema: faultRequest } } },
          responses: responses(
            { '200': jsonContent('The faults in force now.', carrierFaultsSchema) },
            BODY_REFUSALS,
            { '400': problemContent('Neither failNext nor failRate is given, or the Idempotency-Key header is missing or invalid.') },
            IDEMPOTENCY_REFUSALS,
            stockWrite.responses,
          ),
        },
        delete: {
          operationId: 'clearCarrierFaults',
          tags: ['carrier faults'],
          summary: 'Clear every injected carrier fault',
          security: stockWrite.security,
          responses: responses({ '200': jsonContent('No faults in force.', carrierFaultsSchema) }, stockWrite.responses),
        },
      },
    },
  });
}
