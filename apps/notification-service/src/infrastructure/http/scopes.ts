// No imports here: the stack tooling (infra/stack/src/services.ts) reads this file for the dev API keys.
/** The scopes notification-service's API keys may carry. */
export const NOTIFICATION_SCOPES = { read: 'notifications:read' } as const;
export const KNOWN_NOTIFICATION_SCOPES: string[] = Object.values(NOTIFICATION_SCOPES);
