import { z } from 'zod';
import { BODY_REFUSALS, OpenApiDocument, buildServiceDocument, jsonContent, problemContent, responses } from '@paystate/service-runtime';
import type { OperationView } from '../../application/lookups/processor-lookups';
import { FAULT_KINDS } from '../../domain/faults';
import { OPERATIONS } from '../../domain/operation';
import type { SettlementLine } from '../../domain/settlement';
import type { WebhookMode } from '../../domain/webhook-event';
import { amountRequest, authoriseRequest, discrepancyRequest, faultRequest, voidRequest, webhookModeRequest } from './requests';

// processor-sim's OpenAPI document (docs/openapi/processor-sim.json, GET /openapi.json): the simulated
// card processor's API (/v1, Stripe-like) and its test controls (/admin, only with PROCESSOR_ADMIN_ENABLED).

const authorisedSchema = z
  .object({ id: z.string(), object: z.literal('authorisation'), status: z.string(), amount: z.number().int(), currency: z.string(), reference: z.string(), paymentMethod: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'Authorised', description: 'The 201 of an approved authorisation: the authorisation as it is then.' });

const movementSchema = (object: 'capture' | 'void' | 'refund') =>
  z.object({ id: z.string(), object: z.literal(object), status: z.string(), authorisationId: z.string(), amount: z.number().int(), currency: z.string(), reference: z.string(), createdAt: z.iso.datetime() });
const captureSchema = movementSchema('capture').meta({ id: 'Capture' });
const voidSchema = movementSchema('void').meta({ id: 'Void' });
const refundSchema = movementSchema('refund').meta({ id: 'Refund' });

const authorisationSchema = z
  .object({
    id: z.string(),
    object: z.literal('authorisation'),
    status: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    reference: z.string(),
    paymentMethod: z.string(),
    declineCode: z.string().optional(),
    capturedAmount: z.number().int(),
    refundedAmount: z.number().int(),
    createdAt: z.iso.datetime(),
    captures: z.array(captureSchema),
    voids: z.array(voidSchema),
    refunds: z.array(refundSchema),
  })
  .meta({ id: 'Authorisation', description: 'An authorisation attempt (declines included) with its captures, voids and refunds.' });

const operationSchema = z
  .object({
    idempotencyKey: z.string(),
    operation: z.enum(OPERATIONS),
    status: z.number().int().describe('The HTTP status the operation answered.'),
    body: z.unknown().describe('The body it answered, as stored and replayed.'),
    reference: z.string(),
    authorisationId: z.string(),
    objectId: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Operation' }) satisfies z.ZodType<OperationView>;

const settlementLineSchema = z
  .object({
    processorReference: z.string(),
    reference: z.string(),
    authorisationId: z.string(),
    gross: z.number().int().describe('Signed minor units: positive for a capture, negative for a refund.'),
    fee: z.number().int(),
    net: z.number().int(),
    currency: z.string(),
    type: z.enum(['capture', 'refund']),
  })
  .meta({ id: 'SettlementLine' }) satisfies z.ZodType<SettlementLine>;

const faultSchema = z
  .object({
    id: z.string(),
    operation: z.enum([...OPERATIONS, 'any']),
    kind: z.enum(FAULT_KINDS),
    latencyMs: z.number().int(),
    rate: z.number(),
    remaining: z.number().int().nullable().describe('Matching calls still to affect; null: unlimited.'),
    applied: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Fault' });

const webhookModeSchema = z.object({ duplicate: z.boolean(), outOfOrder: z.boolean(), holdMs: z.number().int() }).meta({ id: 'WebhookMode' }) satisfies z.ZodType<WebhookMode>;

const discrepancySchema = z
  .looseObject({ id: z.string(), date: z.string(), kind: z.enum(['drop', 'amount', 'currency', 'duplicate', 'unknown']), createdAt: z.iso.datetime() })
  .meta({ id: 'Discrepancy', description: 'A settlement discrepancy injected for a day; the other fields are those of its kind.' });

const webhookDeliverySchema = z.looseObject({ event: z.looseObject({ id: z.string(), type: z.string() }) }).meta({ id: 'WebhookDelivery', description: 'A webhook delivery with its attempts and status, and the event it carries.' });

const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
const idempotencyKey = { header: z.object({ 'idempotency-key': z.string().min(1).max(255).meta({ description: 'Required on every POST under /v1. The same key replays the stored answer with `Idempotent-Replayed: true`.' }) }) };
const authorisationId = z.object({ id: z.string() });
const settlementDate = z.object({ date: z.iso.date() });
const reference = { query: z.object({ reference: z.string().min(1).max(255) }) };

const unauthorised = { '401': problemContent('No API key, or not the processor’s key.') };
const operationRefusals = {
  '400': problemContent('The Idempotency-Key header is missing or longer than 255 characters, or the amount is larger than what is left (amount_too_large, stored and replayed).'),
  '409': problemContent('A request with this Idempotency-Key is in progress, or the authorisation’s state does not allow the operation (invalid_state, stored and replayed).'),
  '422': problemContent('The Idempotency-Key was used for another request.'),
  '429': problemContent('An injected rate-limit fault: nothing was executed.'),
  '500': problemContent('An injected error fault: nothing was executed; retry with the same Idempotency-Key.'),
};
const onAuthorisation = { '404': problemContent('No such authorisation.') };
const badDate = { '400': problemContent('The date is not YYYY-MM-DD.') };
const badReference = { '400': problemContent('The reference query parameter is missing or longer than 255 characters.') };
const admin = { tags: ['admin'], security: [] };

export function processorSimOpenApi(): OpenApiDocument {
  const v1 = { tags: ['processor'] };
  const operation = (success: Record<string, ReturnType<typeof jsonContent>>, declined: string) =>
    responses(success, { '402': problemContent(declined) }, BODY_REFUSALS, operationRefusals, onAuthorisation, unauthorised);
  return buildServiceDocument(
    {
      service: 'processor-sim',
      version: '1',
      description:
        'A simulated card processor (Stripe-like, SPEC §4): authorise, capture, void and refund with Idempotency-Key, look-ups and settlement reports under /v1, signed webhooks out. ' +
        'The /admin routes are test controls and ground truth: they exist only with PROCESSOR_ADMIN_ENABLED=true (otherwise 404) and take no key, as the simulator is a test tool bound to loopback.',
      paths: {
        '/v1/authorisations': {
          post: {
            ...v1,
            operationId: 'authorise',
            summary: 'Authorise an amount on a test card',
            requestParams: idempotencyKey,
            requestBody: { required: true, content: { 'application/json': { schema: authoriseRequest } } },
            responses: responses({ '201': jsonContent('Approved.', authorisedSchema), '402': problemContent('Declined (card_declined, insufficient_funds …); stored and replayed.') }, BODY_REFUSALS, operationRefusals, unauthorised),
          },
          get: {
            ...v1,
            operationId: 'listAuthorisationsOfReference',
            summary: 'Every authorisation attempt for our reference, with its captures, voids and refunds',
            requestParams: reference,
            responses: responses({ '200': jsonContent('The attempts (empty when there are none).', list(authorisationSchema)) }, badReference, unauthorised),
          },
        },
        '/v1/authorisations/{id}': {
          get: {
            ...v1,
            operationId: 'getAuthorisation',
            summary: 'An authorisation with its captures, voids and refunds',
            requestParams: { path: authorisationId },
            responses: responses({ '200': jsonContent('The authorisation.', authorisationSchema) }, onAuthorisation, unauthorised),
          },
        },
        '/v1/authorisations/{id}/capture': {
          post: {
            ...v1,
            operationId: 'capture',
            summary: 'Capture all or part of an authorisation',
            requestParams: { path: authorisationId, ...idempotencyKey },
            requestBody: { content: { 'application/json': { schema: amountRequest } } },
            responses: operation({ '200': jsonContent('Captured.', captureSchema) }, 'The issuer refused the capture (capture_failed); stored and replayed.'),
          },
        },
        '/v1/authorisations/{id}/void': {
          post: {
            ...v1,
            operationId: 'void',
            summary: 'Void an uncaptured authorisation',
            requestParams: { path: authorisationId, ...idempotencyKey },
            requestBody: { content: { 'application/json': { schema: voidRequest } } },
            responses: operation({ '200': jsonContent('Voided.', voidSchema) }, 'The issuer refused the void (void_failed); stored and replayed.'),
          },
        },
        '/v1/authorisations/{id}/refunds': {
          post: {
            ...v1,
            operationId: 'refund',
            summary: 'Refund all or part of what was captured',
            requestParams: { path: authorisationId, ...idempotencyKey },
            requestBody: { content: { 'application/json': { schema: amountRequest } } },
            responses: operation({ '200': jsonContent('Refunded.', refundSchema) }, 'The issuer refused the refund (refund_failed); stored and replayed.'),
          },
        },
        '/v1/operations/{idempotencyKey}': {
          get: {
            ...v1,
            operationId: 'getOperation',
            summary: 'What the request with this Idempotency-Key did: how a client resolves a lost response',
            requestParams: { path: z.object({ idempotencyKey: z.string() }) },
            responses: responses({ '200': jsonContent('The operation and its stored answer.', operationSchema), '404': problemContent('No request with this Idempotency-Key was ever executed.') }, unauthorised),
          },
        },
        '/v1/settlements/{date}': {
          get: {
            ...v1,
            operationId: 'getSettlementReport',
            summary: 'The settlement report of a UTC day: one line per capture and refund, fees deducted from captures',
            requestParams: { path: settlementDate },
            responses: responses({ '200': jsonContent('The report.', z.object({ date: z.iso.date(), lines: z.array(settlementLineSchema) })) }, badDate, unauthorised),
          },
        },
        '/admin/faults': {
          post: {
            ...admin,
            operationId: 'addFault',
            summary: 'Inject a fault into the next matching calls',
            requestBody: { required: true, content: { 'application/json': { schema: faultRequest } } },
            responses: responses({ '201': jsonContent('The fault.', faultSchema) }, BODY_REFUSALS),
          },
          get: { ...admin, operationId: 'listFaults', summary: 'The faults in force', responses: { '200': jsonContent('The faults.', list(faultSchema)) } },
          delete: { ...admin, operationId: 'clearFaults', summary: 'Remove every fault', responses: { '200': jsonContent('How many were removed.', z.object({ removed: z.number().int() })) } },
        },
        '/admin/faults/{id}': {
          delete: {
            ...admin,
            operationId: 'removeFault',
            summary: 'Remove one fault',
            requestParams: { path: z.object({ id: z.string() }) },
            responses: { '200': jsonContent('Removed.', z.object({ removed: z.literal(1) })), '404': problemContent('No such fault.') },
          },
        },
        '/admin/records': {
          get: {
            ...admin,
            operationId: 'getRecords',
            summary: 'Ground truth for a reference: counts of what happened and every operation executed',
            requestParams: reference,
            responses: responses(
              {
                '200': jsonContent(
                  'The records.',
                  z.object({ reference: z.string(), counts: z.record(z.string(), z.number().int()), operations: z.array(operationSchema), authorisations: z.array(authorisationSchema) }),
                ),
              },
              badReference,
            ),
          },
        },
        '/admin/webhooks': {
          get: {
            ...admin,
            operationId: 'listWebhookDeliveries',
            summary: 'Webhook deliveries of a reference, with their attempts and status',
            requestParams: reference,
            responses: responses({ '200': jsonContent('The deliveries.', list(webhookDeliverySchema)) }, badReference),
          },
        },
        '/admin/webhooks/mode': {
          get: { ...admin, operationId: 'getWebhookMode', summary: 'How webhooks are delivered now', responses: { '200': jsonContent('The mode.', webhookModeSchema) } },
          post: {
            ...admin,
            operationId: 'setWebhookMode',
            summary: 'Deliver every webhook twice and/or out of order',
            requestBody: { required: true, content: { 'application/json': { schema: webhookModeRequest } } },
            responses: responses({ '200': jsonContent('The mode now.', webhookModeSchema) }, BODY_REFUSALS),
          },
        },
        '/admin/settlements/{date}/discrepancies': {
          get: {
            ...admin,
            operationId: 'listDiscrepancies',
            summary: 'The discrepancies injected into a day’s settlement report',
            requestParams: { path: settlementDate },
            responses: responses({ '200': jsonContent('The discrepancies.', list(discrepancySchema)) }, badDate),
          },
          post: {
            ...admin,
            operationId: 'addDiscrepancy',
            summary: 'Inject a discrepancy into a day’s settlement report',
            requestParams: { path: settlementDate },
            requestBody: { required: true, content: { 'application/json': { schema: discrepancyRequest } } },
            responses: responses({ '201': jsonContent('The discrepancy.', discrepancySchema), '422': problemContent('The report of that day has no such line.') }, BODY_REFUSALS, badDate),
          },
        },
      },
    },
    {
      securitySchemeDescription:
        '`Authorization: Bearer <PROCESSOR_API_KEY>` on every /v1 call (one static key, compared in constant time); a missing or wrong key → 401. /admin, /health, /metrics and /openapi.json take none.',
    },
  );
}
