/**
 * Test cards: the payment-method token picks the outcome of every operation on it, so each path of
 * the saga (and each compensation) can be produced on purpose.
 */

export type DeclineCode = 'card_declined' | 'insufficient_funds';

export interface Decline {
  /** The problem's `code`: what kind of refusal. */
  code: DeclineCode;
  /** The issuer's finer reason, as card networks report it. */
  declineCode: string;
  detail: string;
}

export interface CardBehaviour {
  /** undefined: approved. */
  decline?: Decline;
  /** The authorisation answers only after the configured slow delay. */
  slow: boolean;
  captureFails: boolean;
  voidFails: boolean;
  refundFails: boolean;
}

/** Token syntax the simulator accepts: `tok_` and letters, digits or underscores. */
export const TEST_CARD_TOKEN = /^tok_[A-Za-z0-9_]{1,100}$/;

const APPROVE: CardBehaviour = { slow: false, captureFails: false, voidFails: false, refundFails: false };

const TABLE: Readonly<Record<string, CardBehaviour>> = {
  tok_visa_approve: APPROVE,
  tok_decline: { ...APPROVE, decline: { code: 'card_declined', declineCode: 'generic_decline', detail: 'The card was declined.' } },
  tok_insufficient_funds: {
    ...APPROVE,
    decline: { code: 'insufficient_funds', declineCode: 'insufficient_funds', detail: 'The card has insufficient funds to complete the purchase.' },
  },
  tok_capture_fails: { ...APPROVE, captureFails: true },
  tok_void_fails: { ...APPROVE, voidFails: true },
  tok_refund_fails: { ...APPROVE, refundFails: true },
  tok_slow: { ...APPROVE, slow: true },
};

/** The behaviour of a token; any token not in the table approves everything. */
export function cardBehaviour(token: string): CardBehaviour {
  return Object.prototype.hasOwnProperty.call(TABLE, token) ? (TABLE[token] ?? APPROVE) : APPROVE;
}

export const TEST_CARDS: readonly string[] = Object.keys(TABLE);
