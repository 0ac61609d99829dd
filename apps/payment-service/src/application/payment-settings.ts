/** The timing knobs of the payment flow, from config (a token so tests and the app share one shape). */
export const PAYMENT_SETTINGS = Symbol('PAYMENT_SETTINGS');

export interface PaymentSettings {
  operationLeaseMs: number;
  operationDeadlineMs: number;
  resolverIntervalMs: number;
}
