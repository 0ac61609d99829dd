import { z } from 'zod';
import { defineEvent } from '../contract';
import { amountMinorSchema, currencySchema } from '../money';

// payment.events: every payment fact of the saga, keyed by the order id (the saga's correlation id).

const paymentRef = { paymentId: z.uuid(), orderId: z.uuid() };
const at = z.iso.datetime({ offset: true });

export const PaymentAuthorisedV1 = defineEvent({
  type: 'PaymentAuthorised',
  version: 1,
  aggregateType: 'payment',
  summary: 'The processor authorised the payment: funds are held, nothing is captured yet.',
  schema: z.object({ ...paymentRef, amount: amountMinorSchema, currency: currencySchema, authorisationId: z.string().min(1), authorisedAt: at }),
  example: {
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    amount: 2500,
    currency: 'EUR',
    authorisationId: 'auth_5b9f0f4e-2f0b-4f59-9c43-0d8a0f7f1a11',
    authorisedAt: '2026-11-22T10:00:01.000Z',
  },
});
export type PaymentAuthorisedV1 = z.output<typeof PaymentAuthorisedV1.schema>;

export const PAYMENT_FAILURE_REASONS = ['VALIDATION_FAILED', 'DECLINED'] as const;

export const PaymentFailedV1 = defineEvent({
  type: 'PaymentFailed',
  version: 1,
  aggregateType: 'payment',
  summary: 'The payment can never succeed: it failed validation or the processor declined it (C1).',
  schema: z.object({ ...paymentRef, reason: z.enum(PAYMENT_FAILURE_REASONS), code: z.string().optional(), detail: z.string(), failedAt: at }),
  example: {
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    reason: 'DECLINED',
    code: 'insufficient_funds',
    detail: 'The card has insufficient funds.',
    failedAt: '2026-11-22T10:00:01.000Z',
  },
});
export type PaymentFailedV1 = z.output<typeof PaymentFailedV1.schema>;

export const PaymentCapturedV1 = defineEvent({
  type: 'PaymentCaptured',
  version: 1,
  aggregateType: 'payment',
  summary: 'The authorised amount was captured: the customer is charged.',
  schema: z.object({ ...paymentRef, amount: amountMinorSchema, currency: currencySchema, captureId: z.string().min(1), capturedAt: at }),
  example: {
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    amount: 2500,
    currency: 'EUR',
    captureId: 'cap_0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    capturedAt: '2026-11-22T10:00:03.000Z',
  },
});
export type PaymentCapturedV1 = z.output<typeof PaymentCapturedV1.schema>;

export const VOID_REASONS = ['STOCK_UNAVAILABLE', 'CAPTURE_FAILED', 'ORDER_CANCELLED'] as const;

export const PaymentVoidedV1 = defineEvent({
  type: 'PaymentVoided',
  version: 1,
  aggregateType: 'payment',
  summary: 'The authorisation was released without a charge (C2, C3).',
  schema: z.object({ ...paymentRef, amount: amountMinorSchema, currency: currencySchema, reason: z.enum(VOID_REASONS), voidedAt: at }),
  example: {
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    amount: 2500,
    currency: 'EUR',
    reason: 'STOCK_UNAVAILABLE',
    voidedAt: '2026-11-22T10:00:02.000Z',
  },
});
export type PaymentVoidedV1 = z.output<typeof PaymentVoidedV1.schema>;

export const REFUND_REASONS = ['SHIPMENT_FAILED', 'OPERATOR'] as const;

export const PaymentRefundedV1 = defineEvent({
  type: 'PaymentRefunded',
  version: 1,
  aggregateType: 'payment',
  summary: 'Captured money went back to the customer (C4, or an operator refund).',
  schema: z.object({
    ...paymentRef,
    refundId: z.string().min(1),
    amount: amountMinorSchema,
    /** Everything refunded on this payment so far, this refund included. */
    refundedTotal: amountMinorSchema,
    currency: currencySchema,
    reason: z.enum(REFUND_REASONS),
    refundedAt: at,
  }),
  example: {
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    refundId: 'ref_1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    amount: 2500,
    refundedTotal: 2500,
    currency: 'EUR',
    reason: 'SHIPMENT_FAILED',
    refundedAt: '2026-11-22T10:00:05.000Z',
  },
});
export type PaymentRefundedV1 = z.output<typeof PaymentRefundedV1.schema>;

export const PaymentRequiresReviewV1 = defineEvent({
  type: 'PaymentRequiresReview',
  version: 1,
  aggregateType: 'payment',
  summary: 'A void or refund failed, or an outcome stayed unknown past its deadline: a person must look (C5).',
  schema: z.object({ ...paymentRef, reason: z.string().min(1), operationId: z.uuid().optional(), operationType: z.enum(['AUTHORISE', 'CAPTURE', 'VOID', 'REFUND']).optional(), at }),
  example: {
    paymentId: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    orderId: '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10',
    reason: 'VOID failed at the processor: void_failed',
    operationId: '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b',
    operationType: 'VOID',
    at: '2026-11-22T10:00:04.000Z',
  },
});
export type PaymentRequiresReviewV1 = z.output<typeof PaymentRequiresReviewV1.schema>;
