import type { OrderCancellationReason, PaymentRefundedV1 } from '@paystate/contracts';
import { formatMoney } from './money';

type RefundReason = PaymentRefundedV1['reason'];

/** One email: a subject, a plain-text body and a simple HTML body saying the same. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** What each kind of email needs to say; all of it comes from the fact itself. */
export type TemplateInput =
  | { kind: 'ORDER_CONFIRMED'; orderId: string; total: number; currency: string }
  | { kind: 'ORDER_DISPATCHED'; orderId: string; carrier: string; trackingNumber: string }
  | { kind: 'ORDER_CANCELLED'; orderId: string; reason: OrderCancellationReason; refunded: boolean }
  | { kind: 'PAYMENT_REFUNDED'; orderId: string; amount: number; refundedTotal: number; currency: string; reason: RefundReason };

/** The order number a customer sees: short enough to read out on the phone, unique enough in practice. */
export const orderReference = (orderId: string): string => orderId.slice(0, 8).toUpperCase();

/** Why the order was cancelled, in the customer's words rather than ours. */
export function cancellationInPlainWords(reason: OrderCancellationReason): string {
  switch (reason) {
    case 'PAYMENT_DECLINED':
      return 'your bank declined the payment';
    case 'PAYMENT_INVALID':
      return 'we could not process the payment details you gave us';
    case 'OUT_OF_STOCK':
      return 'some of the items you ordered are out of stock';
    case 'CAPTURE_FAILED':
      return 'we could not complete the payment';
    case 'SHIPMENT_FAILED':
      return 'our carrier could not ship your order';
  }
}

function moneyLine(refunded: boolean): string {
  return refunded
    ? 'The money you paid has been refunded to your original payment method; it can take a few working days to show on your statement.'
    : 'You have not been charged: any amount held on your card has been released.';
}

function refundReasonInPlainWords(reason: RefundReason): string {
  switch (reason) {
    case 'SHIPMENT_FAILED':
      return 'because we could not ship your order';
    case 'OPERATOR':
      return 'as arranged with our customer service';
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Paragraphs → the text body and an HTML body with every interpolated value escaped. */
function mail(subject: string, paragraphs: string[]): MailContent {
  const closing = 'Thank you for shopping with us.';
  const text = [...paragraphs, closing].join('\n\n') + '\n';
  const html =
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">' +
    [...paragraphs, closing].map((p) => `<p>${escapeHtml(p)}</p>`).join('') +
    '</body></html>';
  return { subject, text, html };
}

/** The email for one customer-facing fact (SPEC §4 step 9). Pure: the same input gives the same bytes. */
export function renderMail(input: TemplateInput): MailContent {
  const ref = orderReference(input.orderId);
  switch (input.kind) {
    case 'ORDER_CONFIRMED':
      return mail(`Your order ${ref} is confirmed`, [
        `We have received your payment of ${formatMoney(input.total, input.currency)} and confirmed your order ${ref}.`,
        'We will email you again as soon as it ships.',
      ]);
    case 'ORDER_DISPATCHED':
      return mail(`Your order ${ref} is on its way`, [
        `Your order ${ref} has left our warehouse with ${input.carrier}.`,
        `Tracking number: ${input.trackingNumber}`,
      ]);
    case 'ORDER_CANCELLED':
      return mail(`Your order ${ref} has been cancelled`, [
        `We are sorry: we had to cancel your order ${ref} because ${cancellationInPlainWords(input.reason)}.`,
        moneyLine(input.refunded),
      ]);
    case 'PAYMENT_REFUNDED': {
      const amount = formatMoney(input.amount, input.currency);
      const partial = input.refundedTotal !== input.amount ? ` In total, ${formatMoney(input.refundedTotal, input.currency)} has now been refunded for this order.` : '';
      return mail(`We have refunded ${amount} for order ${ref}`, [
        `We have refunded ${amount} to your original payment method ${refundReasonInPlainWords(input.reason)}.${partial}`,
        'It can take a few working days to show on your statement.',
      ]);
    }
  }
}
