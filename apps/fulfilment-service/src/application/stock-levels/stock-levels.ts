import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StockLevel, availableOf, setOnHand } from '../../domain/stock';
import { StockStore } from '../../infrastructure/persistence/stock-store';

export interface StockView {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export const stockView = (level: StockLevel): StockView => ({ sku: level.sku, onHand: level.onHand, reserved: level.reserved, available: availableOf(level) });

export type SetStockResult = { ok: true; stock: StockView } | { ok: false; reason: 'below-reserved'; detail: string };

/** GET and PUT /stock/:sku: what an operator sees and sets. */
@Injectable()
export class StockLevels {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource, private readonly stock: StockStore) {}

  async find(sku: string): Promise<StockView | undefined> {
    const level = await this.stock.find(this.dataSource.manager, sku);
    return level ? stockView(level) : undefined;
  }

  /** The row is locked while deciding, so a reservation cannot slip in between the check and the write. */
  async setOnHand(sku: string, onHand: number, clientId: string, now: Date): Promise<SetStockResult> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.stock.lockOne(manager, sku);
      const adjustment = setOnHand(current, sku, onHand);
      if (!adjustment.ok) return adjustment;
      const saved = await this.stock.setOnHand(manager, adjustment.level, current?.onHand ?? null, clientId, now);
      return { ok: true as const, stock: stockView(saved) };
    });
  }
}
