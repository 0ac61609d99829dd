import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StockLine, UnavailableLine } from '../../domain/stock';

export interface ShipmentView {
  id: string;
  orderId: string;
  reservationId: string;
  status: string;
  items: StockLine[];
  carrier: string;
  trackingNumber: string | null;
  reason: string | null;
  amount: number;
  currency: string;
  createdAt: string;
}

export interface ReservationView {
  id: string;
  orderId: string;
  status: string;
  items: StockLine[];
  failureReason: string | null;
  unavailable: UnavailableLine[] | null;
  releaseReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Read side of GET /shipments and GET /reservations (by order). */
@Injectable()
export class FindFulfilment {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async shipments(orderId: string): Promise<ShipmentView[]> {
    const rows = await this.dataSource.query<
      { id: string; order_id: string; reservation_id: string; status: string; items: StockLine[]; carrier: string; tracking_number: string | null; failure_reason: string | null; amount: string; currency: string; created_at: Date }[]
    >('SELECT * FROM shipment WHERE order_id = $1 ORDER BY created_at', [orderId]);
    return rows.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      reservationId: r.reservation_id,
      status: r.status,
      items: r.items,
      carrier: r.carrier,
      trackingNumber: r.tracking_number,
      reason: r.failure_reason,
      amount: Number(r.amount),
      currency: r.currency,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async reservations(orderId: string): Promise<ReservationView[]> {
    const rows = await this.dataSource.query<
      { id: string; order_id: string; status: string; items: StockLine[]; failure_reason: string | null; unavailable: UnavailableLine[] | null; release_reason: string | null; created_at: Date; updated_at: Date }[]
    >('SELECT * FROM reservation WHERE order_id = $1 ORDER BY created_at', [orderId]);
    return rows.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      status: r.status,
      items: r.items,
      failureReason: r.failure_reason,
      unavailable: r.unavailable,
      releaseReason: r.release_reason,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }
}
