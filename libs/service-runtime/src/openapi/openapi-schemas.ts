import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';

// The pieces every service's OpenAPI document shares: problem details, the bearer API key, the
// standard refusals (401/403, 400 validation, 413/415, the Idempotency-Key ones) and the open
// operational routes. Each service describes its own routes with these and its zod schemas.

export const fieldErrorSchema = z.object({ field: z.string(), message: z.string() }).meta({ id: 'FieldError' });

/** RFC 9457 problem details (libs/service-runtime/src/problem-details.ts); extension members are allowed. */
export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem, e.g. https://paystate.dev/problems/validation'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    errors: z.array(fieldErrorSchema).optional().describe('Every failing field of a 400 validation problem.'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details: the body of every 4xx and 5xx.' });

/** The name of the bearer API key security scheme in every document. */
export const API_KEY_SCHEME = 'apiKey';

export const jsonContent = (description: string, schema: z.ZodType, headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

export const problemContent = (description: string, headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: problemSchema } },
});

const wwwAuthenticate = { 'WWW-Authenticate': { description: 'The bearer challenge (RFC 6750), with the error and the scopes needed.', schema: { type: 'string' } } } as const;
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } } } as const;

/** 401 and 403 of a route behind ApiKeyGuard; the operation names the scopes its key must carry. */
export function secured(scopes: readonly string[]): Pick<ZodOpenApiOperationObject, 'security'> & { responses: Record<string, ZodOpenApiResponseObject> } {
  return {
    security: [{ [API_KEY_SCHEME]: [...scopes] }],
    responses: {
      '401': problemContent('No API key, a malformed Authorization header, or an unknown or revoked key.', wwwAuthenticate),
      '403': problemContent(`The API key lacks a scope this route needs (${scopes.join(', ')}).`, wwwAuthenticate),
    },
  };
}

/** What any route with a JSON body may answer before its handler runs. */
export const BODY_REFUSALS: Record<string, ZodOpenApiResponseObject> = {
  '400': problemContent('The body is not valid JSON or fails validation: every failing field is listed in `errors`.'),
  '413': problemContent('The body is larger than the service accepts.'),
  '415': problemContent('The body is not application/json in UTF-8.'),
};

/** The Idempotency-Key header of the idempotent POSTs (SPEC §5) and what it can be refused with. */
export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .meta({ description: 'Required. The same key with the same request replays the stored answer (with `Idempotent-Replayed: true`); with another request it is refused.' });

export const IDEMPOTENCY_REFUSALS: Record<string, ZodOpenApiResponseObject> = {
  '409': problemContent('The first request with this Idempotency-Key is still running; retry with the same key shortly.', retryAfter),
  '422': problemContent('The Idempotency-Key was used with a different request (method, route or body).'),
};

/** Merges response maps; a later description of a status adds to an earlier one (both causes are listed). */
export function responses(...maps: Record<string, ZodOpenApiResponseObject>[]): Record<string, ZodOpenApiResponseObject> {
  const out: Record<string, ZodOpenApiResponseObject> = {};
  for (const map of maps) {
    for (const [status, response] of Object.entries(map)) {
      const earlier = out[status];
      out[status] = earlier ? { ...earlier, ...response, description: `${earlier.description} Or: ${response.description}`, headers: { ...earlier.headers, ...response.headers } } : response;
    }
  }
  for (const response of Object.values(out)) if (response.headers && Object.keys(response.headers).length === 0) delete response.headers;
  return out;
}
