/** The scopes notification-service's API keys may carry. */
export const NOTIFICATION_SCOPES = { read: 'notifications:read' } as const;
export const KNOWN_NOTIFICATION_SCOPES: string[] = Object.values(NOTIFICATION_SCOPES);
