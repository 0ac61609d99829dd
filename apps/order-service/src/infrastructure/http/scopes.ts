// No imports here: the stack tooling (infra/stack/src/services.ts) reads this file for the dev API keys.
/** The scopes an order-service API key can carry (SPEC §5). */
export const ORDER_SCOPES = {
  /** POST /orders */
  write: 'orders:write',
  /** GET /orders/:id, GET /orders/:id/timeline */
  read: 'orders:read',
  /** GET /sagas/stuck, POST /sagas/:orderId/acknowledge (the saga monitor's operator API) */
  operateSagas: 'sagas:operate',
} as const;

export const KNOWN_ORDER_SCOPES: readonly string[] = Object.values(ORDER_SCOPES);
