// No imports here: the stack tooling (infra/stack/src/services.ts) reads this file for the dev API keys.
/** The scopes payment-service's API keys may carry. */
export const PAYMENT_SCOPES = {
  read: 'payments:read',
  refund: 'payments:refund',
  resolve: 'payments:resolve',
  /** GET /sagas/stuck, POST /sagas/:orderId/acknowledge (the saga monitor's operator API) */
  operateSagas: 'sagas:operate',
} as const;
export const KNOWN_PAYMENT_SCOPES: string[] = Object.values(PAYMENT_SCOPES);
