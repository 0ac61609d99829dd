/** The scopes ledger-service's API keys may carry: the ledger is read-only over HTTP. */
export const LEDGER_SCOPES = { read: 'ledger:read' } as const;
export const KNOWN_LEDGER_SCOPES: string[] = Object.values(LEDGER_SCOPES);
