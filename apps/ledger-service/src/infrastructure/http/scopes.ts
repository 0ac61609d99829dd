// No imports here: the stack tooling (infra/stack/src/services.ts) reads this file for the dev API keys.
/** The scopes ledger-service's API keys may carry: the ledger is read-only over HTTP. */
export const LEDGER_SCOPES = { read: 'ledger:read' } as const;
export const KNOWN_LEDGER_SCOPES: string[] = Object.values(LEDGER_SCOPES);
