import { z } from 'zod';
import { defineEvent } from '../contract';

// notification.events: what was told to the customer, keyed by the order id.

/** The customer-facing facts that get an email (SPEC §4 step 9). */
export const NOTIFICATION_KINDS = ['ORDER_CONFIRMED', 'ORDER_DISPATCHED', 'ORDER_CANCELLED', 'PAYMENT_REFUNDED'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NotificationSentV1 = defineEvent({
  type: 'NotificationSent',
  version: 1,
  aggregateType: 'notification',
  summary: 'An email about the order was accepted by the mail server.',
  schema: z.object({
    notificationId: z.uuid(),
    orderId: z.uuid(),
    kind: z.enum(NOTIFICATION_KINDS),
    channel: z.literal('email'),
    recipient: z.email(),
    /** The RFC 5322 Message-ID, derived from the notification id: a resend after a crash carries the same one. */
    messageId: z.string().min(1),
    /** The event the notification tells the customer about. */
    sourceEventId: z.uuid(),
    sentAt: z.iso.datetime({ offset: true }),
  }),
  example: {
    notificationId: '4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    kind: 'ORDER_CONFIRMED',
    channel: 'email',
    recipient: 'ada@example.com',
    messageId: '<4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a@notifications.paystate.local>',
    sourceEventId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
    sentAt: '2026-11-22T10:00:03.800Z',
  },
});
export type NotificationSentV1 = z.output<typeof NotificationSentV1.schema>;
