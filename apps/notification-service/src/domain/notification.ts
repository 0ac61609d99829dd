import type { NotificationKind, OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1, PaymentRefundedV1 } from '@paystate/contracts';
import { MailContent, TemplateInput, renderMail } from './templates';

/**
 * A notification's life: WAITING_FOR_RECIPIENT (parked: a refund arrived before the OrderPlaced
 * that says who to tell, SPEC §3.5) → PENDING (to be sent; retried while the mail server is away)
 * → SENT, or FAILED when the mail server refuses it for good.
 */
export const NOTIFICATION_STATUSES = ['WAITING_FOR_RECIPIENT', 'PENDING', 'SENT', 'FAILED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** The customer-facing facts this service tells the customer about, each with its event id. */
export type CustomerFact =
  | { type: 'OrderConfirmed'; eventId: string; payload: OrderConfirmedV1 }
  | { type: 'OrderCompleted'; eventId: string; payload: OrderCompletedV1 }
  | { type: 'OrderCancelled'; eventId: string; payload: OrderCancelledV1 }
  | { type: 'PaymentRefunded'; eventId: string; payload: PaymentRefundedV1 };

/** What a fact asks for, before we know whether the recipient is known. */
export interface NotificationRequest {
  kind: NotificationKind;
  orderId: string;
  sourceEventId: string;
  /** The customer's address when the fact carries it (the order facts do, a refund does not). */
  recipient: string | undefined;
  content: MailContent;
}

/** The new notification: addressed and due, or parked until its recipient is known. */
export type NewNotification = NotificationRequest &
  ({ status: 'PENDING'; recipient: string } | { status: 'WAITING_FOR_RECIPIENT'; recipient: undefined });

function templateInputOf(fact: CustomerFact): TemplateInput {
  switch (fact.type) {
    case 'OrderConfirmed':
      return { kind: 'ORDER_CONFIRMED', orderId: fact.payload.orderId, total: fact.payload.total, currency: fact.payload.currency };
    case 'OrderCompleted':
      return { kind: 'ORDER_DISPATCHED', orderId: fact.payload.orderId, carrier: fact.payload.carrier, trackingNumber: fact.payload.trackingNumber };
    case 'OrderCancelled':
      return { kind: 'ORDER_CANCELLED', orderId: fact.payload.orderId, reason: fact.payload.reason, refunded: fact.payload.refunded };
    case 'PaymentRefunded':
      return {
        kind: 'PAYMENT_REFUNDED',
        orderId: fact.payload.orderId,
        amount: fact.payload.amount,
        refundedTotal: fact.payload.refundedTotal,
        currency: fact.payload.currency,
        reason: fact.payload.reason,
      };
  }
}

/** Which email a fact means: exactly one per customer-facing fact. */
export function notificationFor(fact: CustomerFact): NotificationRequest {
  const input = templateInputOf(fact);
  return {
    kind: input.kind,
    orderId: fact.payload.orderId,
    sourceEventId: fact.eventId,
    recipient: fact.type === 'PaymentRefunded' ? undefined : fact.payload.customerEmail,
    content: renderMail(input),
  };
}

/**
 * Addresses a request: the fact's own address, else the one OrderPlaced told us, else park it.
 * Nothing is dropped: a parked notification is released when the address arrives.
 */
export function addressNotification(request: NotificationRequest, knownRecipient: string | undefined): NewNotification {
  const recipient = request.recipient ?? knownRecipient;
  return recipient === undefined ? { ...request, status: 'WAITING_FOR_RECIPIENT', recipient: undefined } : { ...request, status: 'PENDING', recipient };
}

/** The result of one attempt to hand a notification to the mail server. */
export type SendResult =
  | { outcome: 'accepted' }
  /** The server was unreachable, timed out or answered 4xx: try again later. */
  | { outcome: 'transient'; error: string }
  /** The server answered 5xx: it will never take this message. */
  | { outcome: 'permanent'; error: string };

export type AttemptDecision =
  | { status: 'SENT' }
  | { status: 'PENDING'; retryInMs: number; error: string }
  | { status: 'FAILED'; error: string };

const FIRST_RETRY_MS = 1_000;

/** After an attempt (`attempts` counts it): sent, retried later with exponential backoff up to `maxBackoffMs`, or failed for good. */
export function decideAfterAttempt(result: SendResult, attempts: number, maxBackoffMs: number): AttemptDecision {
  switch (result.outcome) {
    case 'accepted':
      return { status: 'SENT' };
    case 'transient':
      return { status: 'PENDING', retryInMs: Math.min(maxBackoffMs, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20))), error: result.error };
    case 'permanent':
      return { status: 'FAILED', error: result.error };
  }
}

/** An SMTP failure as the mail client reports it: the server's reply code, if it answered at all. */
export interface SmtpFailure {
  responseCode?: number;
  message: string;
}

/** 5xx is the server's final word (RFC 5321 §4.2.1); anything else (no answer, 4xx) may pass. */
export function classifySmtpFailure(failure: SmtpFailure): SendResult {
  const error = failure.responseCode !== undefined ? `${failure.responseCode} ${failure.message}` : failure.message;
  return failure.responseCode !== undefined && failure.responseCode >= 500 && failure.responseCode < 600
    ? { outcome: 'permanent', error }
    : { outcome: 'transient', error };
}

/**
 * The RFC 5322 Message-ID of a notification, derived from its id: a resend after a crash between
 * the server's acceptance and our commit carries the same one, so mail systems can spot it.
 */
export const messageIdFor = (notificationId: string, domain: string): string => `<${notificationId}@${domain}>`;
