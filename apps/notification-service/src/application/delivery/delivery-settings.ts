/** The timing knobs of delivery, from config (a token so tests and the app share one shape). */
export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

export interface DeliverySettings {
  leaseMs: number;
  sweepIntervalMs: number;
  maxBackoffMs: number;
}
