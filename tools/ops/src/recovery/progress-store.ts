import { OpsTableStore } from '../ops-table';
import { withClient } from '../clients/database';

/**
 * The progress of each recovery, in the ops database `paystate_ops` (beside ops_audit: restoring a
 * service's database must not roll back the record of its own restore). One row per (service,
 * backup digest): re-running `ops recover` with the same backup resumes after the last step done,
 * and after the last step it only reports.
 */
export interface RecoveryRow {
  id: string;
  service: string;
  backup_file: string;
  backup_digest: string;
  taken_at: Date;
  status: 'running' | 'done';
  steps: Record<string, { at: string; seconds?: number; result: unknown }>;
  report: unknown;
  started_at: Date;
  finished_at: Date | null;
}

export class RecoveryStore extends OpsTableStore {
  constructor(superuserUrl: string) {
    super(
      superuserUrl,
      `CREATE TABLE IF NOT EXISTS ops_recovery (
          id            text        PRIMARY KEY,
          service       text        NOT NULL,
          backup_file   text        NOT NULL,
          backup_digest text        NOT NULL,
          taken_at      timestamptz NOT NULL,
          status        text        NOT NULL CHECK (status IN ('running', 'done')),
          steps         jsonb       NOT NULL DEFAULT '{}'::jsonb,
          report        jsonb,
          started_at    timestamptz NOT NULL DEFAULT now(),
          finished_at   timestamptz
        )`,
    );
  }

  static idOf(service: string, digest: string): string {
    return `${service}:${digest}`;
  }

  /** The row of this recovery, created on first use. */
  async open(r: { service: string; file: string; digest: string; takenAt: Date }): Promise<RecoveryRow> {
    await this.ensure();
    const id = RecoveryStore.idOf(r.service, r.digest);
    return withClient(this.url(), async (c) => {
      await c.query(`INSERT INTO ops_recovery (id, service, backup_file, backup_digest, taken_at, status) VALUES ($1, $2, $3, $4, $5, 'running') ON CONFLICT (id) DO NOTHING`, [id, r.service, r.file, r.digest, r.takenAt]);
      return (await c.query<RecoveryRow>('SELECT * FROM ops_recovery WHERE id = $1', [id])).rows[0]!;
    });
  }

  async find(service: string, digest: string): Promise<RecoveryRow | undefined> {
    await this.ensure();
    return withClient(this.url(), async (c) => (await c.query<RecoveryRow>('SELECT * FROM ops_recovery WHERE id = $1', [RecoveryStore.idOf(service, digest)])).rows[0]);
  }

  async stepDone(id: string, step: string, seconds: number, result: unknown): Promise<void> {
    await withClient(this.url(), (c) =>
      c.query(`UPDATE ops_recovery SET steps = steps || jsonb_build_object($2::text, jsonb_build_object('at', now(), 'seconds', $3::numeric, 'result', $4::jsonb)) WHERE id = $1`, [id, step, seconds, JSON.stringify(result ?? null)]),
    );
  }

  async finish(id: string, report: unknown): Promise<void> {
    await withClient(this.url(), (c) => c.query(`UPDATE ops_recovery SET status = 'done', report = $2, finished_at = now() WHERE id = $1`, [id, JSON.stringify(report)]));
  }
}
