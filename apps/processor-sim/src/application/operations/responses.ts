import { ProblemError } from '@paystate/service-runtime';
import type { Authorisation, Rejection } from '../../domain/authorisation';
import type { Decline } from '../../domain/test-cards';
import type { MovementRecord } from '../../infrastructure/persistence/authorisation-store';

// The bodies of the processor's API: what is stored under an idempotency key and replayed as is.

export const authorisationBody = (a: Authorisation): object => ({
  id: a.id,
  object: 'authorisation',
  status: a.status,
  amount: a.amount,
  currency: a.currency,
  reference: a.reference,
  paymentMethod: a.paymentMethod,
  ...(a.declineCode ? { declineCode: a.declineCode } : {}),
  capturedAmount: a.capturedAmount,
  refundedAmount: a.refundedAmount,
  createdAt: a.createdAt.toISOString(),
});

/** The 201 of an approved authorisation: the authorisation as it is then, without the later-moving amounts. */
export const authorisedBody = (a: Authorisation): object => {
  const { capturedAmount: _captured, refundedAmount: _refunded, declineCode: _decline, ...approved } = authorisationBody(a) as Record<string, unknown>;
  return approved;
};

export const declinedBody = (a: Authorisation, decline: Decline): object =>
  ProblemError.of(402, decline.code.replace(/_/g, '-'), decline.code === 'insufficient_funds' ? 'Insufficient funds' : 'Card declined', decline.detail, {
    code: decline.code,
    declineCode: decline.declineCode,
    authorisationId: a.id,
    reference: a.reference,
  }).problem;

export const captureBody = (c: MovementRecord): object => ({
  id: c.id,
  object: 'capture',
  status: c.status,
  authorisationId: c.authorisationId,
  amount: c.amount,
  currency: c.currency,
  reference: c.reference,
  createdAt: c.createdAt.toISOString(),
});

export const voidBody = (v: MovementRecord): object => ({
  id: v.id,
  object: 'void',
  status: v.status,
  authorisationId: v.authorisationId,
  amount: v.amount,
  currency: v.currency,
  reference: v.reference,
  createdAt: v.createdAt.toISOString(),
});

export const refundBody = (r: MovementRecord): object => ({
  id: r.id,
  object: 'refund',
  status: r.status,
  authorisationId: r.authorisationId,
  amount: r.amount,
  currency: r.currency,
  reference: r.reference,
  createdAt: r.createdAt.toISOString(),
});

/** A capture, void or refund the issuer refused (a test card): 402, recorded as a failed attempt. */
export const operationFailedBody = (code: 'capture_failed' | 'void_failed' | 'refund_failed', attempt: MovementRecord): object => {
  const what = code.split('_')[0] ?? 'operation';
  return ProblemError.of(402, code.replace(/_/g, '-'), `The ${what} failed`, `The issuer refused the ${what} of authorisation ${attempt.authorisationId}.`, {
    code,
    authorisationId: attempt.authorisationId,
    attemptId: attempt.id,
    reference: attempt.reference,
  }).problem;
};

/**
 * A request the authorisation's state or amounts do not allow: 409 invalid_state, or 400
 * amount_too_large (as Stripe). Decided after execution began, so stored and replayed like any outcome.
 */
export function rejectionResponse(auth: Authorisation, rejection: Rejection): { status: number; body: object } {
  switch (rejection.reason) {
    case 'invalid-state':
      return {
        status: 409,
        body: ProblemError.of(409, 'invalid-state', 'Invalid authorisation state', rejection.detail, {
          code: 'invalid_state',
          authorisationId: auth.id,
          authorisationStatus: rejection.status,
          ...(rejection.hint ? { hint: rejection.hint } : {}),
        }).problem,
      };
    case 'amount-too-large':
      return {
        status: 400,
        body: ProblemError.of(400, 'amount-too-large', 'Amount too large', rejection.detail, {
          code: 'amount_too_large',
          authorisationId: auth.id,
          requested: rejection.requested,
          available: rejection.available,
        }).problem,
      };
  }
}
