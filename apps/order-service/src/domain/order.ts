import { MAX_AMOUNT_MINOR } from '@paystate/contracts';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'COMPLETED' | 'CANCELLED';

export interface OrderLine {
  sku: string;
  quantity: number;
  /** Integer minor units. */
  unitPrice: number;
}

export interface Order {
  id: string;
  status: OrderStatus;
  customerId: string;
  customerEmail: string;
  currency: string;
  items: OrderLine[];
  total: number;
  paymentMethod: string;
  placedAt: Date;
}

export interface PlaceOrder {
  customerId: string;
  customerEmail: string;
  currency: string;
  items: OrderLine[];
  paymentMethod: string;
}

export type PlaceOrderError = { kind: 'total-out-of-range'; total: number; max: number };

export type Decision<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Decides a new order: its total, and that it starts PENDING. Ids and time are given, never made here. */
export function placeOrder(command: PlaceOrder, ctx: { orderId: string; now: Date }): Decision<Order, PlaceOrderError> {
  const total = command.items.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  if (!Number.isSafeInteger(total) || total <= 0 || total > MAX_AMOUNT_MINOR) {
    return { ok: false, error: { kind: 'total-out-of-range', total, max: MAX_AMOUNT_MINOR } };
  }
  return {
    ok: true,
    value: {
      id: ctx.orderId,
      status: 'PENDING',
      customerId: command.customerId,
      customerEmail: command.customerEmail,
      currency: command.currency,
      items: command.items.map((l) => ({ ...l })),
      total,
      paymentMethod: command.paymentMethod,
      placedAt: ctx.now,
    },
  };
}
