import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { acknowledgeRequest } from '../stuck/stuck-http';
import type { StuckView } from '../stuck/stuck-reports';
import { BODY_REFUSALS, IDEMPOTENCY_REFUSALS, idempotencyKeyHeader, jsonContent, problemContent, responses, secured } from './openapi-schemas';

// The saga monitor's operator API (SPEC §8), the same in order-service and payment-service.

const stuckViewSchema = z
  .object({
    service: z.string(),
    orderId: z.string(),
    subjectId: z.string(),
    stage: z.string(),
    level: z.string().meta({ examples: ['WARNING', 'CRITICAL'] }),
    since: z.string(),
    ageMs: z.number(),
    slaMs: z.number().nullable(),
    thresholdMs: z.number(),
    awaiting: z.object({ event: z.string(), producer: z.string() }),
    attempts: z.number().nullable(),
    lastError: z.string().nullable(),
    firstSeen: z.string(),
    eventId: z.string(),
    acknowledged: z.object({ at: z.string(), by: z.string(), note: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'StuckSaga' }) satisfies z.ZodType<StuckView>;

const stuckListSchema = z.object({ stuck: z.array(stuckViewSchema) });

const acknowledgedSchema = z
  .object({
    orderId: z.string(),
    acknowledgedNow: z.array(z.object({ stage: z.string(), level: z.string() })),
    open: z.array(z.object({ stage: z.string(), level: z.string(), acknowledgedAt: z.string().nullable(), acknowledgedBy: z.string().nullable() })),
  })
  .meta({ id: 'StuckAcknowledgement' });

export function sagaMonitorPaths(scope: string): ZodOpenApiPathsObject {
  const auth = secured([scope]);
  return {
    '/sagas/stuck': {
      get: {
        operationId: 'listStuckSagas',
        tags: ['saga monitor'],
        summary: 'The sagas stuck past their stage’s SLA here',
        security: auth.security,
        requestParams: { query: z.object({ includeAcknowledged: z.enum(['true', 'false']).optional().meta({ description: 'Also list acknowledged reports (default false).' }) }) },
        responses: responses({ '200': jsonContent('The open stuck reports.', stuckListSchema), '400': problemContent('includeAcknowledged is neither true nor false.') }, auth.responses),
      },
    },
    '/sagas/{orderId}/acknowledge': {
      post: {
        operationId: 'acknowledgeStuckSaga',
        tags: ['saga monitor'],
        summary: 'An operator has the order in hand: not reported again for this crossing (idempotent)',
        security: auth.security,
        requestParams: { path: z.object({ orderId: z.uuid() }), header: z.object({ 'idempotency-key': idempotencyKeyHeader }) },
        requestBody: { required: true, content: { 'application/json': { schema: acknowledgeRequest } } },
        responses: responses(
          { '200': jsonContent('What was acknowledged now and what is open.', acknowledgedSchema) },
          BODY_REFUSALS,
          { '400': problemContent('The order id is not a UUID, or the Idempotency-Key header is missing or invalid.'), '404': problemContent('The order has no open stuck report here (stored and replayed like a success).') },
          IDEMPOTENCY_REFUSALS,
          auth.responses,
        ),
      },
    },
  };
}
