import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { guardedUpdate } from '@paystate/persistence';
import type { StockLevel, StockLine } from '../../domain/stock';

interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
}

const toLevel = (row: StockRow): StockLevel => ({ sku: row.sku, onHand: row.on_hand, reserved: row.reserved });

/**
 * Stock rows, always inside the caller's transaction. Rows are locked and updated in SKU order
 * (lines come from mergeLines), so concurrent orders never deadlock on each other's SKUs; every
 * update is guarded, and `stock_reserved_within_on_hand` refuses overselling whatever happens.
 */
@Injectable()
export class StockStore {
  async find(manager: EntityManager, sku: string): Promise<StockLevel | undefined> {
    const rows = await manager.query<StockRow[]>('SELECT sku, on_hand, reserved FROM stock WHERE sku = $1', [sku]);
    return rows[0] ? toLevel(rows[0]) : undefined;
  }

  /** Locks the SKUs' rows in SKU order; SKUs that are not stocked are simply absent from the map. */
  async lockInOrder(manager: EntityManager, skus: readonly string[]): Promise<Map<string, StockLevel>> {
    const rows = await manager.query<StockRow[]>('SELECT sku, on_hand, reserved FROM stock WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [skus]);
    return new Map(rows.map((r) => [r.sku, toLevel(r)]));
  }

  async reserve(manager: EntityManager, items: readonly StockLine[], now: Date): Promise<void> {
    for (const { sku, quantity } of items) {
      await this.guarded(manager, 'UPDATE stock SET reserved = reserved + $2, updated_at = $3 WHERE sku = $1 AND on_hand - reserved >= $2', sku, quantity, now);
    }
  }

  /** The reserved units leave the warehouse: on hand and reserved both go down. */
  async consume(manager: EntityManager, items: readonly StockLine[], now: Date): Promise<void> {
    for (const { sku, quantity } of items) {
      await this.guarded(manager, 'UPDATE stock SET on_hand = on_hand - $2, reserved = reserved - $2, updated_at = $3 WHERE sku = $1 AND reserved >= $2', sku, quantity, now);
    }
  }

  async release(manager: EntityManager, items: readonly StockLine[], now: Date): Promise<void> {
    for (const { sku, quantity } of items) {
      await this.guarded(manager, 'UPDATE stock SET reserved = reserved - $2, updated_at = $3 WHERE sku = $1 AND reserved >= $2', sku, quantity, now);
    }
  }

  /** Sets on hand (creating the SKU); the check constraint refuses a value below what is reserved. */
  async setOnHand(manager: EntityManager, level: StockLevel, previousOnHand: number | null, clientId: string, now: Date): Promise<StockLevel> {
    const rows = await manager.query<StockRow[]>(
      `INSERT INTO stock (sku, on_hand, reserved, updated_at) VALUES ($1, $2, 0, $3)
       ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at
       RETURNING sku, on_hand, reserved`,
      [level.sku, level.onHand, now],
    );
    await manager.query('INSERT INTO stock_adjustment (sku, from_on_hand, to_on_hand, client_id, at) VALUES ($1, $2, $3, $4, $5)', [level.sku, previousOnHand, level.onHand, clientId, now]);
    return toLevel(rows[0]!);
  }

  async lockOne(manager: EntityManager, sku: string): Promise<StockLevel | undefined> {
    const rows = await manager.query<StockRow[]>('SELECT sku, on_hand, reserved FROM stock WHERE sku = $1 FOR UPDATE', [sku]);
    return rows[0] ? toLevel(rows[0]) : undefined;
  }

  /** A guarded stock update that matches no row means another transaction changed the stock first: StaleWriteError, retried. */
  private guarded(manager: EntityManager, sql: string, sku: string, quantity: number, now: Date): Promise<void> {
    return guardedUpdate(manager, sql, [sku, quantity, now], { aggregate: 'stock', id: sku, expected: `changed under the update (${quantity})` });
  }
}
