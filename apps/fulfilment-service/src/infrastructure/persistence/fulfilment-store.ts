import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { guardedUpdate } from '@paystate/persistence';
import type { CarrierFaults } from '../../domain/carrier';
import type { OrderFulfilment, PaymentStanding, ReleaseReason, Reservation, ReservationStatus, ShipmentStatus } from '../../domain/fulfilment';
import type { StockLine, UnavailableLine } from '../../domain/stock';

/** What caused a change: the consumed event's id and type. */
export interface Cause {
  id: string;
  type: string;
}

interface OrderRow {
  order_id: string;
  lines: StockLine[] | null;
  currency: string | null;
  total: string | null;
  payment: PaymentStanding;
  cancelled: boolean;
}

export interface NewShipment {
  id: string;
  orderId: string;
  reservationId: string;
  status: ShipmentStatus;
  carrier: string;
  trackingNumber: string | null;
  failureReason: string | null;
  items: StockLine[];
  amount: number;
  currency: string;
}

/** Orders, reservations, shipments and their transition log, always inside the caller's transaction. */
@Injectable()
export class FulfilmentStore {
  /**
   * Everything fulfilment knows about an order, with the order's row locked: every fact about one
   * order is applied one at a time, even when order.events and payment.events are consumed in
   * parallel. The row is created first if this is the first fact (ON CONFLICT waits for a
   * concurrent creator instead of failing).
   */
  async lockOrder(manager: EntityManager, orderId: string, now: Date): Promise<OrderFulfilment> {
    await manager.query('INSERT INTO fulfilment_order (order_id, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (order_id) DO NOTHING', [orderId, now]);
    const [row] = await manager.query<OrderRow[]>('SELECT order_id, lines, currency, total, payment, cancelled FROM fulfilment_order WHERE order_id = $1 FOR UPDATE', [orderId]);
    if (!row) throw new Error(`fulfilment_order ${orderId} vanished`);
    const [reservation] = await manager.query<{ id: string; status: ReservationStatus; items: StockLine[] }[]>('SELECT id, status, items FROM reservation WHERE order_id = $1', [orderId]);
    const [shipment] = await manager.query<{ id: string; status: ShipmentStatus }[]>('SELECT id, status FROM shipment WHERE order_id = $1', [orderId]);
    return {
      orderId,
      order: row.lines && row.currency && row.total !== null ? { lines: row.lines, currency: row.currency, total: Number(row.total) } : null,
      payment: row.payment,
      cancelled: row.cancelled,
      reservation: reservation ?? null,
      shipment: shipment ?? null,
    };
  }

  async rememberOrder(manager: EntityManager, orderId: string, order: { lines: StockLine[]; currency: string; total: number }, eventId: string, now: Date): Promise<void> {
    await manager.query('UPDATE fulfilment_order SET lines = $2, currency = $3, total = $4, placed_event_id = $5, updated_at = $6 WHERE order_id = $1', [
      orderId,
      JSON.stringify(order.lines),
      order.currency,
      order.total,
      eventId,
      now,
    ]);
  }

  async setPayment(manager: EntityManager, orderId: string, standing: PaymentStanding, payment: { paymentId: string; eventId: string } | null, now: Date): Promise<void> {
    await manager.query(
      'UPDATE fulfilment_order SET payment = $2, payment_id = COALESCE($3, payment_id), authorised_event_id = COALESCE($4, authorised_event_id), updated_at = $5 WHERE order_id = $1',
      [orderId, standing, payment?.paymentId ?? null, payment?.eventId ?? null, now],
    );
  }

  async markCancelled(manager: EntityManager, orderId: string, now: Date): Promise<void> {
    await manager.query('UPDATE fulfilment_order SET cancelled = true, updated_at = $2 WHERE order_id = $1', [orderId, now]);
  }

  async insertHeldReservation(manager: EntityManager, orderId: string, reservation: Reservation, cause: Cause, now: Date): Promise<void> {
    await manager.query('INSERT INTO reservation (id, order_id, status, items, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)', [
      reservation.id,
      orderId,
      'HELD',
      JSON.stringify(reservation.items),
      now,
    ]);
    await this.logTransition(manager, orderId, 'RESERVATION', reservation.id, null, 'HELD', cause, now);
  }

  async insertFailedReservation(
    manager: EntityManager,
    orderId: string,
    id: string,
    items: StockLine[],
    failure: { reason: 'OUT_OF_STOCK' | 'UNKNOWN_SKU'; unavailable: UnavailableLine[] },
    cause: Cause,
    now: Date,
  ): Promise<void> {
    await manager.query(
      'INSERT INTO reservation (id, order_id, status, items, failure_reason, unavailable, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)',
      [id, orderId, 'FAILED', JSON.stringify(items), failure.reason, JSON.stringify(failure.unavailable), now],
    );
    await this.logTransition(manager, orderId, 'RESERVATION', id, null, 'FAILED', cause, now);
  }

  /** HELD → CONSUMED | RELEASED, only from HELD (the database refuses anything else; a state that moved under us is a StaleWriteError, retried). */
  async moveReservation(manager: EntityManager, orderId: string, reservationId: string, to: 'CONSUMED' | 'RELEASED', releaseReason: ReleaseReason | null, cause: Cause, now: Date): Promise<void> {
    await guardedUpdate(
      manager,
      `UPDATE reservation SET status = $2, release_reason = $3, updated_at = $4 WHERE id = $1 AND status = 'HELD'`,
      [reservationId, to, releaseReason, now],
      { aggregate: 'reservation', id: reservationId, expected: 'is no longer HELD' },
    );
    await this.logTransition(manager, orderId, 'RESERVATION', reservationId, 'HELD', to, cause, now);
  }

  async insertShipment(manager: EntityManager, shipment: NewShipment, cause: Cause, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO shipment (id, order_id, reservation_id, status, carrier, tracking_number, failure_reason, items, amount, currency, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        shipment.id,
        shipment.orderId,
        shipment.reservationId,
        shipment.status,
        shipment.carrier,
        shipment.trackingNumber,
        shipment.failureReason,
        JSON.stringify(shipment.items),
        shipment.amount,
        shipment.currency,
        now,
      ],
    );
    await this.logTransition(manager, shipment.orderId, 'SHIPMENT', shipment.id, null, shipment.status, cause, now);
  }

  /** The carrier's fault row, locked: the countdown of `failNext` is part of the hand-over's transaction. */
  async lockCarrierFaults(manager: EntityManager): Promise<CarrierFaults> {
    const [row] = await manager.query<{ fail_next: number; fail_rate: number }[]>('SELECT fail_next, fail_rate FROM carrier_fault WHERE id = 1 FOR UPDATE');
    if (!row) throw new Error('carrier_fault has no row: migrations not applied?');
    return { failNext: row.fail_next, failRate: row.fail_rate };
  }

  async saveCarrierFaults(manager: EntityManager, faults: CarrierFaults, now: Date): Promise<void> {
    await manager.query('UPDATE carrier_fault SET fail_next = $1, fail_rate = $2, updated_at = $3 WHERE id = 1', [faults.failNext, faults.failRate, now]);
  }

  private async logTransition(
    manager: EntityManager,
    orderId: string,
    subject: 'RESERVATION' | 'SHIPMENT',
    subjectId: string,
    from: string | null,
    to: string,
    cause: Cause,
    now: Date,
  ): Promise<void> {
    await manager.query(
      'INSERT INTO fulfilment_transition (order_id, subject, subject_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [orderId, subject, subjectId, from, to, cause.id, cause.type, now],
    );
  }
}
