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
import { processorWebhookSchema } from '../../application/webhooks/processor-webhooks';
import type { OperationView, PaymentView } from '../persistence/payment-queries';
import { refundRequest, resolutionRequest } from './payments.controller';
import { PAYMENT_SCOPES } from './scopes';

// payment-service's OpenAPI document (docs/openapi/payment-service.json, GET /openapi.json), from the
// zod schemas that validate its requests and describe its answers.

const operationSchema = z
  .object({
    id: z.uuid(),
    type: z.string().meta({ examples: ['AUTHORISE', 'CAPTURE', 'VOID', 'REFUND'] }),
    status: z.string(),
    reason: z.string(),
    amount: z.number().int(),
    attempts: z.number().int(),
    resultCode: z.string().nullable(),
    origin: z.string().describe('`processor-call`: sent by us; `operator-record`: recorded by a person from the processor’s records.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'PaymentOperation' }) satisfies z.ZodType<OperationView>;

const paymentSchema = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    status: z.string().meta({ examples: ['AUTHORISED', 'CAPTURED', 'VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'REQUIRES_REVIEW'] }),
    amount: z.number().int(),
    refundedAmount: z.number().int(),
    currency: z.string(),
    authorisationId: z.string().nullable(),
    captureId: z.string().nullable(),
    review: z.object({ from: z.string(), operationId: z.string().nullable() }).nullable().describe('While REQUIRES_REVIEW: the state underneath and the operation a person must settle.'),
    operations: z.array(operationSchema),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Payment' }) satisfies z.ZodType<PaymentView>;

const refundAcceptedSchema = z.object({ paymentId: z.uuid(), operationId: z.uuid(), amount: z.number().int(), status: z.literal('PENDING') }).meta({ id: 'RefundAccepted' });
const resolutionSchema = z.object({ paymentId: z.uuid(), effect: z.enum(['retried', 'recorded']), operationId: z.string(), status: z.string() }).meta({ id: 'Resolution' });
const webhookReceivedSchema = z.object({ received: z.literal(true), duplicate: z.boolean().describe('true when this webhook id was already stored') });

const paymentId = z.object({ id: z.uuid() });
const refusals = {
  '404': problemContent('No such payment (stored and replayed like a success).'),
  '409': problemContent('The payment is not in a state that allows this (invalid-state-transition, payment-not-in-review, operation-outcome-known, processor-object-already-recorded).'),
  '422': problemContent('The amount is invalid or exceeds what can be refunded.'),
};

export function paymentServiceOpenApi(): OpenApiDocument {
  const read = secured([PAYMENT_SCOPES.read]);
  const refund = secured([PAYMENT_SCOPES.refund]);
  const resolve = secured([PAYMENT_SCOPES.resolve]);
  const idempotent = { header: z.object({ 'idempotency-key': idempotencyKeyHeader }) };
  return buildServiceDocument({
    service: 'payment-service',
    version: '1',
    description:
      'Payments of orders against the processor, with operator refunds and reviews (SPEC §5, §6). Every route but /webhooks/processor (signed), /health, /metrics and /openapi.json needs a bearer API key.',
    paths: {
      '/payments': {
        get: {
          operationId: 'listPaymentsOfOrder',
          tags: ['payments'],
          summary: 'The payments of an order, oldest first',
          security: read.security,
          requestParams: { query: z.object({ orderId: z.uuid() }) },
          responses: responses({ '200': jsonContent('The order’s payments (empty when it has none).', z.array(paymentSchema)), '400': problemContent('orderId is missing or not a UUID.') }, read.responses),
        },
      },
      '/payments/{id}': {
        get: {
          operationId: 'getPayment',
          tags: ['payments'],
          summary: 'A payment with its processor operations',
          security: read.security,
          requestParams: { path: paymentId },
          responses: responses({ '200': jsonContent('The payment.', paymentSchema), '400': problemContent('The id is not a UUID.'), '404': problemContent('No such payment.') }, read.responses),
        },
      },
      '/payments/{id}/refunds': {
        post: {
          operationId: 'refundPayment',
          tags: ['payments'],
          summary: 'Operator refund of a captured payment (idempotent); without an amount, all that is left',
          security: refund.security,
          requestParams: { path: paymentId, ...idempotent },
          requestBody: { required: true, content: { 'application/json': { schema: refundRequest } } },
          responses: responses(
            { '202': jsonContent('The refund operation is under way; its outcome shows on the payment.', refundAcceptedSchema) },
            BODY_REFUSALS,
            { '400': problemContent('The id is not a UUID, or the Idempotency-Key header is missing or invalid.') },
            refusals,
            IDEMPOTENCY_REFUSALS,
            refund.responses,
          ),
        },
      },
      '/payments/{id}/resolutions': {
        post: {
          operationId: 'resolvePaymentReview',
          tags: ['payments'],
          summary: 'A person resolves a payment under review: retry the operation, or record the outcome the processor shows (idempotent)',
          security: resolve.security,
          requestParams: { path: paymentId, ...idempotent },
          requestBody: { required: true, content: { 'application/json': { schema: resolutionRequest } } },
          responses: responses(
            { '200': jsonContent('The outcome is recorded on the payment.', resolutionSchema), '202': jsonContent('The processor is asked again; the outcome follows on the payment.', resolutionSchema) },
            BODY_REFUSALS,
            { '400': problemContent('The id is not a UUID, or the Idempotency-Key header is missing or invalid.') },
            refusals,
            IDEMPOTENCY_REFUSALS,
            resolve.responses,
          ),
        },
      },
      '/webhooks/processor': {
        post: {
          operationId: 'receiveProcessorWebhook',
          tags: ['webhooks'],
          summary: 'The processor’s signed webhooks: verified, stored, answered 200 (applied later)',
          description: 'Authenticated by `Processor-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, not by an API key.',
          security: [],
          requestParams: { header: z.object({ 'processor-signature': z.string() }) },
          requestBody: { required: true, content: { 'application/json': { schema: processorWebhookSchema } } },
          responses: responses(
            { '200': jsonContent('Stored (or already stored).', webhookReceivedSchema) },
            BODY_REFUSALS,
            { '400': problemContent('The signature is missing, stale or wrong (invalid-webhook-signature), or the body is not a webhook (invalid-webhook).'), '503': problemContent('Not stored: deliver it again later.') },
          ),
        },
      },
      ...sagaMonitorPaths(PAYMENT_SCOPES.operateSagas),
    },
  });
}
