import { withClient, withDatabase } from './clients/database';

/**
 * ops' own database, `paystate_ops`, beside the services' databases: restoring a service's database
 * must not roll back the record of the restore (the audit trail, the recovery progress, the lag samples).
 */
export const AUDIT_DATABASE = 'paystate_ops';

/**
 * Creates the ops database if it is missing, then runs `ddl` (`CREATE TABLE IF NOT EXISTS …`, and any
 * later `ALTER … IF NOT EXISTS`) in it: how each of ops' own tables comes to exist on first use.
 */
export async function ensureOpsTable(superuserUrl: string, ddl: string): Promise<void> {
  await withClient(superuserUrl, async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [AUDIT_DATABASE]);
    if (exists.rowCount !== 0) return;
    try {
      await c.query(`CREATE DATABASE ${AUDIT_DATABASE}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42P04') throw error; // another ops created it meanwhile
    }
  });
  await withClient(withDatabase(superuserUrl, AUDIT_DATABASE), (c) => c.query(ddl));
}

/** A store of one of ops' own tables: created on first use (ops has no migrations to run elsewhere). */
export abstract class OpsTableStore {
  private ready = false;

  protected constructor(
    protected readonly superuserUrl: string,
    private readonly ddl: string,
  ) {}

  protected url(): string {
    return withDatabase(this.superuserUrl, AUDIT_DATABASE);
  }

  protected async ensure(): Promise<void> {
    if (this.ready) return;
    await ensureOpsTable(this.superuserUrl, this.ddl);
    this.ready = true;
  }
}
