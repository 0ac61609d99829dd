import type { ConsumedEvent, HandlerContext } from '@paystate/messaging';
import type { StockReservedV1 } from '@paystate/contracts';
import { initiatePayment, type OperationType, type Payment, type PaymentStatus } from '../../domain/payment';
import type { PaymentStore } from '../../infrastructure/persistence/payment-store';
import type { PaymentOperations } from '../operations/payment-operations';
import { FactBeforeItsCause, PaymentSagaSteps } from './saga-steps';

/** The store as the steps see it: one payment and its unfinished operations, and what was applied. */
function storeWith(payment: Payment, open: OperationType[]): { store: PaymentStore; applied: unknown[] } {
  const applied: unknown[] = [];
  const store = {
    lockByOrder: async () => payment,
    hasOpenOperation: async (_m: unknown, _id: string, type: OperationType) => open.includes(type),
    refundsInFlight: async () => 0,
    apply: async (_m: unknown, _p: Payment, decision: unknown) => void applied.push(decision),
  } as unknown as PaymentStore;
  return { store, applied };
}

const operations = { kick: () => undefined } as unknown as PaymentOperations;
const ctx = { manager: {}, now: new Date('2026-12-01T20:00:00Z'), afterCommit: () => undefined } as unknown as HandlerContext;
const stockReserved = { id: 'evt-1', type: 'StockReserved', payload: { orderId: 'order-1' } } as unknown as ConsumedEvent<StockReservedV1>;

const paymentIn = (status: PaymentStatus): Payment => ({ ...initiatePayment({ orderId: 'order-1', total: 2500, currency: 'EUR', paymentMethod: 'tok' }, 'pay-1'), status });

describe('PaymentSagaSteps: a fact read before the outcome that caused it', () => {
  it('StockReserved on a payment whose authorisation is still under way is retried (thrown), not ignored', async () => {
    const { store, applied } = storeWith(paymentIn('VALIDATED'), ['AUTHORISE']);
    await expect(new PaymentSagaSteps(store, operations).captureOnStockReserved(stockReserved, ctx)).rejects.toBeInstanceOf(FactBeforeItsCause);
    expect(applied).toEqual([]);
  });

  it('StockReserved on an authorised payment starts the capture', async () => {
    const { store, applied } = storeWith(paymentIn('AUTHORISED'), []);
    await new PaymentSagaSteps(store, operations).captureOnStockReserved(stockReserved, ctx);
    expect(applied).toEqual([expect.objectContaining({ operation: expect.objectContaining({ type: 'CAPTURE' }) })]);
  });

  it('StockReserved on a payment that moved on (a late redelivery) is ignored, even with another operation under way', async () => {
    const { store, applied } = storeWith(paymentIn('CAPTURED'), ['REFUND']);
    await new PaymentSagaSteps(store, operations).captureOnStockReserved(stockReserved, ctx);
    expect(applied).toEqual([]);
  });

  it('a VALIDATED payment with no authorisation under way is not waited for: ignored as before', async () => {
    const { store, applied } = storeWith(paymentIn('VALIDATED'), []);
    await new PaymentSagaSteps(store, operations).captureOnStockReserved(stockReserved, ctx);
    expect(applied).toEqual([]);
  });

  it('ShipmentFailed on a payment whose capture is still under way is retried', async () => {
    const { store } = storeWith(paymentIn('AUTHORISED'), ['CAPTURE']);
    const shipmentFailed = { id: 'evt-2', type: 'ShipmentFailed', payload: { orderId: 'order-1' } } as never;
    await expect(new PaymentSagaSteps(store, operations).refundOnShipmentFailed(shipmentFailed, ctx)).rejects.toBeInstanceOf(FactBeforeItsCause);
  });
});
