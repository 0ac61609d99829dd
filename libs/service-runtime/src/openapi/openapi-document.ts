import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { API_KEY_SCHEME, jsonContent } from './openapi-schemas';

/** An OpenAPI 3.1 document as served at GET /openapi.json and kept in docs/openapi/<service>.json. */
export type OpenApiDocument = ReturnType<typeof createDocument>;

export interface ServiceDocumentOptions {
  /** The service's name, e.g. order-service. */
  service: string;
  version: string;
  description: string;
  /** The service's own routes, described with zod schemas. */
  paths: ZodOpenApiPathsObject;
}

const healthCheckSchema = z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown()));

/** terminus' report (@nestjs/terminus), the body of every health answer: 200 when every check is up, 503 otherwise. */
export const healthSchema = z
  .object({ status: z.enum(['ok', 'error', 'shutting_down']), info: healthCheckSchema.optional(), error: healthCheckSchema.optional(), details: healthCheckSchema })
  .meta({ id: 'HealthReport', description: "terminus' report: each check's status and, when down, why." });

const healthAnswers = (down: string) => ({
  '200': jsonContent('Every check is up.', healthSchema),
  '503': jsonContent(`${down} The body names the failing check.`, healthSchema),
});

/** Routes every service mounts from ServiceRuntimeModule and OpenApiModule: open to probes, scrapers and readers. */
export const RUNTIME_PATHS: ZodOpenApiPathsObject = {
  '/health/live': {
    get: {
      operationId: 'healthLive',
      tags: ['operations'],
      summary: 'Liveness (no API key): the process answers and its event loop turns; no dependency is checked',
      security: [],
      responses: healthAnswers('Restart the process: its Kafka consumer crashed and will not restart.'),
    },
  },
  '/health/ready': {
    get: {
      operationId: 'healthReady',
      tags: ['operations'],
      summary: 'Readiness (no API key): the database answers in time and the Kafka consumer is in its group',
      security: [],
      responses: healthAnswers('Not ready for traffic.'),
    },
  },
  '/health': {
    get: {
      operationId: 'health',
      tags: ['operations'],
      summary: 'Deprecated alias of /health/ready (no API key)',
      deprecated: true,
      security: [],
      responses: healthAnswers('Not ready for traffic.'),
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (no API key)',
      security: [],
      responses: { '200': { description: 'The Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } } },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openapi',
      tags: ['operations'],
      summary: 'This document (no API key)',
      description: 'Open like /health: it describes the API, holds no data and no secret, and a client needs it before it has a key.',
      security: [],
      responses: { '200': { description: 'The OpenAPI 3.1 document of this service.', content: { 'application/json': { schema: z.object({ openapi: z.string() }).catchall(z.unknown()) } } } },
    },
  },
};

/**
 * Builds a service's OpenAPI 3.1 document from zod schemas (zod-openapi): pure, so the generator
 * (`npm run openapi`), the served GET /openapi.json and the freshness test all get the same JSON.
 * `securitySchemeDescription` replaces the API-key scheme’s text (processor-sim has one static key).
 */
export function buildServiceDocument(options: ServiceDocumentOptions, { securitySchemeDescription }: { securitySchemeDescription?: string } = {}): OpenApiDocument {
  return createDocument({
    openapi: '3.1.0',
    info: { title: options.service, version: options.version, description: options.description },
    security: [{ [API_KEY_SCHEME]: [] }],
    paths: { ...options.paths, ...RUNTIME_PATHS },
    components: {
      securitySchemes: {
        [API_KEY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            securitySchemeDescription ??
            '`Authorization: Bearer <api key>`. Keys are made per client with the service’s create-api-key CLI and carry scopes; each operation lists the scopes it needs. Missing, unknown or revoked key → 401; a key without a needed scope → 403.',
        },
      },
    },
  });
}
