import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Discrepancy, SettlementLine, applyDiscrepancies, lineFor } from '../../domain/settlement';
import { SettlementStore, StoredDiscrepancy } from '../../infrastructure/persistence/settlement-store';

/** What a test asks for; `unknown` lines get their ids here, once, so the report is stable. */
export type DiscrepancyRequest =
  | Exclude<Discrepancy, { kind: 'unknown' }>
  | { kind: 'unknown'; amount: number; currency: string; type: 'capture' | 'refund'; reference?: string };

export type InjectResult = { ok: true; discrepancy: StoredDiscrepancy } | { ok: false; error: 'no-such-line'; processorReference: string };

/** The daily settlement report: the day's captures and refunds, after any injected discrepancies. */
@Injectable()
export class SettlementReports {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: SettlementStore,
  ) {}

  async report(date: string): Promise<{ date: string; lines: SettlementLine[] }> {
    const manager = this.dataSource.manager;
    const [movements, discrepancies] = await Promise.all([this.store.settledMovementsOn(manager, date), this.store.discrepanciesOn(manager, date)]);
    return { date, lines: applyDiscrepancies(movements.map(lineFor), discrepancies.map((d) => d.discrepancy)) };
  }

  async discrepancies(date: string): Promise<StoredDiscrepancy[]> {
    return this.store.discrepanciesOn(this.dataSource.manager, date);
  }

  /** Stores a discrepancy for a day; one that names a line must name a line of that day's report. */
  async inject(date: string, request: DiscrepancyRequest): Promise<InjectResult> {
    const manager = this.dataSource.manager;
    let discrepancy: Discrepancy;
    if (request.kind === 'unknown') {
      const prefix = request.type === 'capture' ? 'cap' : 'ref';
      discrepancy = {
        kind: 'unknown',
        movement: {
          id: `${prefix}_${randomUUID()}`,
          type: request.type,
          reference: request.reference ?? `unknown_${randomUUID()}`,
          authorisationId: `auth_${randomUUID()}`,
          amount: request.amount,
          currency: request.currency,
        },
      };
    } else {
      const lines = (await this.report(date)).lines;
      if (!lines.some((l) => l.processorReference === request.processorReference)) {
        return { ok: false, error: 'no-such-line', processorReference: request.processorReference };
      }
      discrepancy = request;
    }
    const stored: StoredDiscrepancy = { id: `dsc_${randomUUID()}`, date, discrepancy, createdAt: new Date() };
    await this.store.insertDiscrepancy(manager, stored);
    return { ok: true, discrepancy: stored };
  }
}
