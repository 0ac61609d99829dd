import { StockLevel, mergeLines, reserveAllOrNothing, setOnHand } from './stock';

const stockOf = (...levels: StockLevel[]): Map<string, StockLevel> => new Map(levels.map((l) => [l.sku, l]));
const level = (sku: string, onHand: number, reserved = 0): StockLevel => ({ sku, onHand, reserved });

describe('stock', () => {
  describe('given enough stock for every line', () => {
    const stock = stockOf(level('BOOK-1', 5, 1), level('PEN-1', 10));

    it('when the payment is authorised, then every line is reserved, one line per SKU in SKU order', () => {
      expect(reserveAllOrNothing([{ sku: 'PEN-1', quantity: 2 }, { sku: 'BOOK-1', quantity: 3 }, { sku: 'PEN-1', quantity: 1 }], stock)).toEqual({
        outcome: 'reserved',
        items: [{ sku: 'BOOK-1', quantity: 3 }, { sku: 'PEN-1', quantity: 3 }],
      });
    });

    it('when a line asks for exactly what is available, then it is reserved', () => {
      expect(reserveAllOrNothing([{ sku: 'BOOK-1', quantity: 4 }], stock)).toMatchObject({ outcome: 'reserved' });
    });
  });

  describe('given one line lacks stock', () => {
    const stock = stockOf(level('BOOK-1', 5, 3), level('PEN-1', 10));

    it('when reserving, then nothing is reserved and the short line is reported OUT_OF_STOCK', () => {
      expect(reserveAllOrNothing([{ sku: 'PEN-1', quantity: 1 }, { sku: 'BOOK-1', quantity: 3 }], stock)).toEqual({
        outcome: 'failed',
        reason: 'OUT_OF_STOCK',
        unavailable: [{ sku: 'BOOK-1', requested: 3, available: 2 }],
      });
    });

    it('when the same SKU appears on two lines that together exceed stock, then it fails on the total', () => {
      expect(reserveAllOrNothing([{ sku: 'BOOK-1', quantity: 1 }, { sku: 'BOOK-1', quantity: 2 }], stock)).toEqual({
        outcome: 'failed',
        reason: 'OUT_OF_STOCK',
        unavailable: [{ sku: 'BOOK-1', requested: 3, available: 2 }],
      });
    });
  });

  describe('given a SKU that was never stocked', () => {
    it('when reserving, then nothing is reserved and the reason is UNKNOWN_SKU, listing every unavailable line', () => {
      expect(reserveAllOrNothing([{ sku: 'GHOST-1', quantity: 1 }, { sku: 'BOOK-1', quantity: 9 }], stockOf(level('BOOK-1', 5)))).toEqual({
        outcome: 'failed',
        reason: 'UNKNOWN_SKU',
        unavailable: [{ sku: 'BOOK-1', requested: 9, available: 5 }, { sku: 'GHOST-1', requested: 1, available: 0 }],
      });
    });
  });

  describe('when an operator sets the on-hand count', () => {
    it('given a new SKU, then it is created with nothing reserved', () => {
      expect(setOnHand(undefined, 'BOOK-1', 7)).toEqual({ ok: true, level: level('BOOK-1', 7) });
    });

    it('given reservations, then it may go down to what is reserved', () => {
      expect(setOnHand(level('BOOK-1', 7, 4), 'BOOK-1', 4)).toEqual({ ok: true, level: level('BOOK-1', 4, 4) });
    });

    it('given reservations, then it is refused below what is reserved', () => {
      expect(setOnHand(level('BOOK-1', 7, 4), 'BOOK-1', 3)).toMatchObject({ ok: false, reason: 'below-reserved' });
    });
  });

  it('merges lines per SKU in a stable (sorted) order, the lock order', () => {
    expect(mergeLines([{ sku: 'b', quantity: 1 }, { sku: 'a', quantity: 2 }, { sku: 'b', quantity: 3 }])).toEqual([{ sku: 'a', quantity: 2 }, { sku: 'b', quantity: 4 }]);
  });
});
