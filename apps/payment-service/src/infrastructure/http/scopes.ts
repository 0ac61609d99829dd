/** The scopes payment-service's API keys may carry. */
export const PAYMENT_SCOPES = { read: 'payments:read', refund: 'payments:refund' } as const;
export const KNOWN_PAYMENT_SCOPES: string[] = Object.values(PAYMENT_SCOPES);
