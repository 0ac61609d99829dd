export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

export interface WebhookSettings {
  secrets: string[];
  toleranceSeconds: number;
}
