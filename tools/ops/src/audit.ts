import { randomUUID } from 'node:crypto';
import { withClient } from './clients/database';
import { OpsTableStore } from './ops-table';

/**
 * The operator's audit trail: one row per dangerous command run with --execute, written before it
 * acts (outcome `started`) and completed after, so an interrupted run is visible as such. It lives
 * in a database of its own, `paystate_ops`, beside the services' databases: restoring a service's
 * database must not roll back the record of the restore.
 */
export { AUDIT_DATABASE } from './ops-table';

export interface AuditEntry {
  command: string;
  actor: string;
  reason: string;
  args: Record<string, unknown>;
  plan: unknown;
}

export type AuditOutcome = 'succeeded' | 'failed';

export class AuditLog extends OpsTableStore {
  constructor(superuserUrl: string) {
    super(
      superuserUrl,
      `CREATE TABLE IF NOT EXISTS ops_audit (
          id          uuid        PRIMARY KEY,
          command     text        NOT NULL,
          actor       text        NOT NULL,
          reason      text        NOT NULL,
          args        jsonb       NOT NULL,
          plan        jsonb,
          outcome     text        NOT NULL CHECK (outcome IN ('started', 'succeeded', 'failed')),
          result      jsonb,
          started_at  timestamptz NOT NULL DEFAULT now(),
          finished_at timestamptz
        );
        -- added after the table's first version: how far a running command got (AuditLog.progress)
        ALTER TABLE ops_audit ADD COLUMN IF NOT EXISTS progress jsonb`,
    );
  }

  async start(entry: AuditEntry): Promise<string> {
    await this.ensure();
    const id = randomUUID();
    await withClient(this.url(), (c) =>
      c.query(`INSERT INTO ops_audit (id, command, actor, reason, args, plan, outcome) VALUES ($1, $2, $3, $4, $5, $6, 'started')`, [
        id,
        entry.command,
        entry.actor,
        entry.reason,
        JSON.stringify(entry.args),
        JSON.stringify(entry.plan ?? null),
      ]),
    );
    return id;
  }

  async finish(id: string, outcome: AuditOutcome, result: unknown): Promise<void> {
    await withClient(this.url(), (c) => c.query(`UPDATE ops_audit SET outcome = $2, result = $3, finished_at = now() WHERE id = $1`, [id, outcome, JSON.stringify(result ?? null)]));
  }

  /**
   * Records how far a command that is still running got (kept when it finishes), so a re-run after
   * it was killed knows what was done: e.g. `ops replay` once its offsets are written and verified.
   */
  async progress(id: string, progress: Record<string, unknown>): Promise<void> {
    await withClient(this.url(), (c) => c.query(`UPDATE ops_audit SET progress = coalesce(progress, '{}'::jsonb) || $2::jsonb WHERE id = $1`, [id, JSON.stringify(progress)]));
  }

  async recent(limit = 20): Promise<AuditRow[]> {
    await this.ensure();
    return withClient(this.url(), async (c) => (await c.query<AuditRow>('SELECT * FROM ops_audit ORDER BY started_at DESC LIMIT $1', [limit])).rows);
  }
}

export interface AuditRow {
  id: string;
  command: string;
  actor: string;
  reason: string;
  args: unknown;
  plan: unknown;
  outcome: string;
  result: unknown;
  progress: Record<string, unknown> | null;
  started_at: Date;
  finished_at: Date | null;
}
