import { randomUUID } from 'node:crypto';

export interface OrderRequest {
  customerId: string;
  customerEmail: string;
  currency: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
  paymentMethod: string;
}

/** A valid POST /orders body; override what the test is about. */
export const anOrderRequest = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  customerId: `cus_${randomUUID().slice(0, 8)}`,
  customerEmail: 'ada@example.com',
  currency: 'EUR',
  items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
  paymentMethod: 'tok_visa_approve',
  ...overrides,
});
