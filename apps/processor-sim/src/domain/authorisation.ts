import { CardBehaviour, Decline } from './test-cards';

/**
 * An authorisation and what may happen to it next. One capture (full or partial) per
 * authorisation, a void only before it, refunds only after it and never more than was captured.
 * Failed attempts (a test card that fails capture, void or refund) leave the state as it was.
 */
export type AuthorisationStatus = 'authorised' | 'declined' | 'captured' | 'voided' | 'partially_refunded' | 'refunded';

export interface Authorisation {
  id: string;
  /** Our (the merchant's) reference: payment-service's payment id. */
  reference: string;
  paymentMethod: string;
  /** Integer minor units. */
  amount: number;
  currency: string;
  status: AuthorisationStatus;
  declineCode: string | null;
  capturedAmount: number;
  refundedAmount: number;
  createdAt: Date;
}

export interface AuthoriseCommand {
  amount: number;
  currency: string;
  paymentMethod: string;
  reference: string;
}

export type Rejection =
  | { reason: 'invalid-state'; status: AuthorisationStatus; detail: string; hint?: 'refund' }
  | { reason: 'amount-too-large'; requested: number; available: number; detail: string };

export type AuthoriseDecision = { kind: 'authorised'; authorisation: Authorisation } | { kind: 'declined'; authorisation: Authorisation; decline: Decline };

export type CaptureDecision =
  | { kind: 'captured'; amount: number; next: Authorisation }
  | { kind: 'capture-failed'; amount: number }
  | { kind: 'rejected'; rejection: Rejection };

export type VoidDecision = { kind: 'voided'; next: Authorisation } | { kind: 'void-failed' } | { kind: 'rejected'; rejection: Rejection };

export type RefundDecision =
  | { kind: 'refunded'; amount: number; next: Authorisation }
  | { kind: 'refund-failed'; amount: number }
  | { kind: 'rejected'; rejection: Rejection };

/** Decides an authorisation request; a decline is recorded too (status `declined`). */
export function authorise(command: AuthoriseCommand, card: CardBehaviour, ctx: { authorisationId: string; now: Date }): AuthoriseDecision {
  const base: Authorisation = {
    id: ctx.authorisationId,
    reference: command.reference,
    paymentMethod: command.paymentMethod,
    amount: command.amount,
    currency: command.currency,
    status: 'authorised',
    declineCode: null,
    capturedAmount: 0,
    refundedAmount: 0,
    createdAt: ctx.now,
  };
  if (card.decline) {
    return { kind: 'declined', authorisation: { ...base, status: 'declined', declineCode: card.decline.declineCode }, decline: card.decline };
  }
  return { kind: 'authorised', authorisation: base };
}

const invalidState = (auth: Authorisation, detail: string, hint?: 'refund'): Rejection => ({ reason: 'invalid-state', status: auth.status, detail, ...(hint ? { hint } : {}) });

/** Capture: only an `authorised` authorisation, at most its amount (default: all of it). */
export function decideCapture(auth: Authorisation, requested: number | undefined, card: CardBehaviour): CaptureDecision {
  switch (auth.status) {
    case 'authorised':
      break;
    case 'declined':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} was declined; there is nothing to capture.`) };
    case 'voided':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} is voided and can no longer be captured.`) };
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} is already captured (status ${auth.status}).`) };
  }
  const amount = requested ?? auth.amount;
  if (amount > auth.amount) {
    return {
      kind: 'rejected',
      rejection: { reason: 'amount-too-large', requested: amount, available: auth.amount, detail: `Cannot capture ${amount}: only ${auth.amount} is authorised.` },
    };
  }
  if (card.captureFails) return { kind: 'capture-failed', amount };
  return { kind: 'captured', amount, next: { ...auth, status: 'captured', capturedAmount: amount } };
}

/** Void: only before capture; a captured authorisation is refunded instead. */
export function decideVoid(auth: Authorisation, card: CardBehaviour): VoidDecision {
  switch (auth.status) {
    case 'authorised':
      break;
    case 'declined':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} was declined; there is nothing to void.`) };
    case 'voided':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} is already voided.`) };
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} is captured; refund it instead of voiding it.`, 'refund') };
  }
  if (card.voidFails) return { kind: 'void-failed' };
  return { kind: 'voided', next: { ...auth, status: 'voided' } };
}

/** Refund: only after capture; the refunds of an authorisation never add up to more than its capture. */
export function decideRefund(auth: Authorisation, requested: number | undefined, card: CardBehaviour): RefundDecision {
  switch (auth.status) {
    case 'captured':
    case 'partially_refunded':
      break;
    case 'authorised':
    case 'declined':
    case 'voided':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} is not captured (status ${auth.status}); there is nothing to refund.`) };
    case 'refunded':
      return { kind: 'rejected', rejection: invalidState(auth, `Authorisation ${auth.id} is already fully refunded.`) };
  }
  const available = auth.capturedAmount - auth.refundedAmount;
  const amount = requested ?? available;
  if (amount > available) {
    return {
      kind: 'rejected',
      rejection: { reason: 'amount-too-large', requested: amount, available, detail: `Cannot refund ${amount}: only ${available} of the capture is left to refund.` },
    };
  }
  if (card.refundFails) return { kind: 'refund-failed', amount };
  const refundedAmount = auth.refundedAmount + amount;
  return { kind: 'refunded', amount, next: { ...auth, refundedAmount, status: refundedAmount === auth.capturedAmount ? 'refunded' : 'partially_refunded' } };
}
