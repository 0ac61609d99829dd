import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Discrepancy, SettledMovement, SettlementLineType } from '../../domain/settlement';
import { num } from './row-values';

/** A discrepancy a test injected into a day's settlement report. */
export interface StoredDiscrepancy {
  id: string;
  date: string;
  discrepancy: Discrepancy;
  createdAt: Date;
}

/** What a day's settlement report is made of: the settled movements of that UTC day, and the injected discrepancies. */
@Injectable()
export class SettlementStore {
  /** Succeeded captures and refunds created on a UTC day, in the order they happened. */
  async settledMovementsOn(manager: EntityManager, date: string): Promise<SettledMovement[]> {
    const rows = await manager.query<
      { id: string; type: SettlementLineType; reference: string; authorisation_id: string; amount: string; currency: string }[]
    >(
      `SELECT 'capture' AS type, * FROM captures
        WHERE status = 'succeeded' AND created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND created_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
       UNION ALL
       SELECT 'refund' AS type, * FROM refunds
        WHERE status = 'succeeded' AND created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND created_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
       ORDER BY created_at, id`,
      [date],
    );
    return rows.map((r) => ({ id: r.id, type: r.type, reference: r.reference, authorisationId: r.authorisation_id, amount: num(r.amount), currency: r.currency }));
  }

  async insertDiscrepancy(manager: EntityManager, d: StoredDiscrepancy): Promise<void> {
    await manager.query('INSERT INTO settlement_discrepancies (id, settlement_date, kind, details, created_at) VALUES ($1, $2, $3, $4, $5)', [
      d.id,
      d.date,
      d.discrepancy.kind,
      JSON.stringify(d.discrepancy),
      d.createdAt,
    ]);
  }

  async discrepanciesOn(manager: EntityManager, date: string): Promise<StoredDiscrepancy[]> {
    const rows = await manager.query<{ id: string; details: Discrepancy; created_at: Date }[]>(
      'SELECT id, kind, details, created_at FROM settlement_discrepancies WHERE settlement_date = $1 ORDER BY seq',
      [date],
    );
    return rows.map((r) => ({ id: r.id, date, discrepancy: r.details, createdAt: r.created_at }));
  }
}
