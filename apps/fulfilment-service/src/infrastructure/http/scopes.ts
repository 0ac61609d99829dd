// No imports here: the stack tooling (infra/stack/src/services.ts) reads this file for the dev API keys.
/** The scopes fulfilment-service's API keys may carry. */
export const FULFILMENT_SCOPES = { stockRead: 'stock:read', stockWrite: 'stock:write', shipmentsRead: 'shipments:read' } as const;
export const KNOWN_FULFILMENT_SCOPES: string[] = Object.values(FULFILMENT_SCOPES);
