import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrderStatus } from '../../domain/order';
import type { OrderFulfilmentStatus, OrderPaymentStatus } from '../../domain/order-saga';

/** An order that is not terminal and has not moved for a while: a candidate for the saga monitor. */
export interface IdleOrder {
  id: string;
  status: OrderStatus;
  paymentStatus: OrderPaymentStatus | null;
  fulfilmentStatus: OrderFulfilmentStatus | null;
  /** When the order last changed: the start of its current stage. */
  since: Date;
}

/** What order-service itself could not apply for an order: its dead letters' count and last error. */
export interface OwnFailures {
  attempts: number;
  lastError: string | null;
}

interface IdleRow {
  id: string;
  status: OrderStatus;
  payment_status: OrderPaymentStatus | null;
  fulfilment_status: OrderFulfilmentStatus | null;
  updated_at: Date;
}

/** The saga monitor's reads over orders and dead letters. */
@Injectable()
export class StuckSagaQueries {
  /** Every non-terminal order unchanged since `before` (its stage began then or earlier). */
  async idleSince(manager: EntityManager, before: Date): Promise<IdleOrder[]> {
    const rows = await manager.query<IdleRow[]>(
      `SELECT id, status, payment_status, fulfilment_status, updated_at
         FROM orders
        WHERE status NOT IN ('COMPLETED', 'CANCELLED') AND updated_at <= $1
        ORDER BY updated_at
        LIMIT 10000`,
      [before],
    );
    return rows.map((r) => ({ id: r.id, status: r.status, paymentStatus: r.payment_status, fulfilmentStatus: r.fulfilment_status, since: r.updated_at }));
  }

  /** Dead letters order-service parked for these orders (keyed by order id), by order. */
  async ownFailures(manager: EntityManager, orderIds: readonly string[]): Promise<Map<string, OwnFailures>> {
    if (orderIds.length === 0) return new Map();
    const rows = await manager.query<{ kafka_key: string; attempts: string; last_error: string | null }[]>(
      `SELECT kafka_key, sum(attempts) AS attempts, (array_agg(error ORDER BY created_at DESC))[1] AS last_error
         FROM dead_letter WHERE kafka_key = ANY($1::text[]) AND status <> 'redriven' GROUP BY kafka_key`,
      [orderIds],
    );
    return new Map(rows.map((r) => [r.kafka_key, { attempts: Number(r.attempts), lastError: r.last_error }]));
  }
}
