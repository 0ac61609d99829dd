import { MAX_AMOUNT_MINOR } from '@paystate/contracts';
import { PlaceOrder, placeOrder } from './order';

const aPlaceOrder = (overrides: Partial<PlaceOrder> = {}): PlaceOrder => ({
  customerId: 'cus_1',
  customerEmail: 'ada@example.com',
  currency: 'EUR',
  items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }, { sku: 'PEN-1', quantity: 1, unitPrice: 199 }],
  paymentMethod: 'tok_visa_approve',
  ...overrides,
});
const ctx = { orderId: '6a1d9a0e-6c1f-4a44-9d8c-1f2e3d4c5b6a', now: new Date('2026-11-22T10:00:00Z') };

describe('placeOrder', () => {
  it('given a valid command, when placed, then the order is PENDING with the summed total', () => {
    const result = placeOrder(aPlaceOrder(), ctx);
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ id: ctx.orderId, status: 'PENDING', total: 2 * 1250 + 199, currency: 'EUR', placedAt: ctx.now }),
    });
  });

  it('given lines whose sum exceeds the maximum amount, when placed, then it is refused', () => {
    const result = placeOrder(aPlaceOrder({ items: [{ sku: 'CAR', quantity: 3, unitPrice: MAX_AMOUNT_MINOR / 2 }] }), ctx);
    expect(result).toEqual({ ok: false, error: { kind: 'total-out-of-range', total: 1.5 * MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR } });
  });

  it('does not share line objects with the command', () => {
    const command = aPlaceOrder();
    const result = placeOrder(command, ctx);
    if (!result.ok) throw new Error('expected an order');
    command.items[0]!.quantity = 99;
    expect(result.value.items[0]!.quantity).toBe(2);
  });
});
