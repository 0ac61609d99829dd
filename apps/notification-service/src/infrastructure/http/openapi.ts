import { z } from 'zod';
import { OpenApiDocument, buildServiceDocument, jsonContent, problemContent, responses, secured } from '@paystate/service-runtime';
import { NOTIFICATION_STATUSES } from '../../domain/notification';
import type { NotificationView } from '../persistence/notification-queries';
import { NOTIFICATION_SCOPES } from './scopes';

// notification-service's OpenAPI document (docs/openapi/notification-service.json, GET /openapi.json).

const notificationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    recipient: z.string().nullable(),
    subject: z.string(),
    status: z.enum(NOTIFICATION_STATUSES),
    attempts: z.number().int(),
    messageId: z.string(),
    sourceEventId: z.string(),
    createdAt: z.iso.datetime(),
    sentAt: z.iso.datetime().nullable(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'Notification' }) satisfies z.ZodType<NotificationView>;

export function notificationServiceOpenApi(): OpenApiDocument {
  const read = secured([NOTIFICATION_SCOPES.read]);
  return buildServiceDocument({
    service: 'notification-service',
    version: '1',
    description: 'What the customer of an order was told, by e-mail (SPEC §7). Every route but /health, /metrics and /openapi.json needs a bearer API key.',
    paths: {
      '/notifications': {
        get: {
          operationId: 'listNotificationsOfOrder',
          tags: ['notifications'],
          summary: 'What the customer of an order was told, oldest first (waiting, pending, sent and failed alike)',
          security: read.security,
          requestParams: { query: z.object({ orderId: z.uuid() }) },
          responses: responses({ '200': jsonContent('The order’s notifications (empty when it has none).', z.array(notificationSchema)), '400': problemContent('orderId is missing or not a UUID.') }, read.responses),
        },
      },
    },
  });
}
