import { OpsTableStore } from '../ops-table';
import { withClient } from '../clients/database';
import type { Sample } from './trend';

/**
 * The previous sample of `ops lag`, in the ops database `paystate_ops` beside ops_audit and
 * ops_recovery: one row per consumer-group partition and per replication slot, replaced by each
 * run, so two runs are enough to see whether a lag or a slot grows. A run that looks at one group
 * replaces only that group's rows.
 */
export type SampleKind = 'partition' | 'slot';

export class LagSampleStore extends OpsTableStore {
  constructor(superuserUrl: string) {
    super(
      superuserUrl,
      `CREATE TABLE IF NOT EXISTS ops_lag_sample (
          kind       text        NOT NULL CHECK (kind IN ('partition', 'slot')),
          name       text        NOT NULL,
          sampled_at timestamptz NOT NULL,
          figures    jsonb       NOT NULL,
          PRIMARY KEY (kind, name)
        )`,
    );
  }

  /**
   * Stores this run's samples and answers the ones they replace, in one transaction (a row
   * locked while it is read and replaced, so two concurrent runs each see a real predecessor).
   */
  async exchange<T>(kind: SampleKind, samples: ReadonlyMap<string, Sample<T>>): Promise<Map<string, Sample<T>>> {
    const previous = new Map<string, Sample<T>>();
    if (samples.size === 0) return previous;
    await this.ensure();
    const names = [...samples.keys()];
    await withClient(this.url(), async (c) => {
      await c.query('BEGIN');
      try {
        const rows = (await c.query<{ name: string; sampled_at: Date; figures: T }>('SELECT name, sampled_at, figures FROM ops_lag_sample WHERE kind = $1 AND name = ANY($2) FOR UPDATE', [kind, names])).rows;
        for (const r of rows) previous.set(r.name, { at: r.sampled_at, values: r.figures });
        await c.query(
          `INSERT INTO ops_lag_sample (kind, name, sampled_at, figures)
           SELECT $1, s.name, s.at, s.figures FROM jsonb_to_recordset($2::jsonb) AS s(name text, at timestamptz, figures jsonb)
           ON CONFLICT (kind, name) DO UPDATE SET sampled_at = EXCLUDED.sampled_at, figures = EXCLUDED.figures`,
          [kind, JSON.stringify(names.map((name) => ({ name, at: samples.get(name)!.at.toISOString(), figures: samples.get(name)!.values })))],
        );
        await c.query('COMMIT');
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    return previous;
  }
}
