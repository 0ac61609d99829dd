import type { OpsContext } from '../context';
import { failure } from '../errors';
import type { ServiceSettings } from '../settings';
import { ident, roleOf } from './names';
import { PgTools, runTool } from './pg-tools';
import { withDatabase } from '../clients/database';

/**
 * Drops the service's database (terminating leftover sessions), creates it again as the stack
 * does (owned by the service's role, CONNECT revoked from PUBLIC) and restores the dump into it as
 * the superuser, keeping the dump's owners and grants. Re-runnable: a half-done restore is dropped
 * and done again.
 */
export async function recreateAndRestore(ctx: OpsContext, svc: ServiceSettings, file: string, tools: PgTools): Promise<{ tables: number }> {
  const role = roleOf(svc);
  await ctx.withSuperuser('postgres', async (c) => {
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [svc.database]);
    await c.query(`DROP DATABASE IF EXISTS ${ident(svc.database)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(svc.database)} OWNER ${ident(role)} ENCODING 'UTF8'`);
    await c.query(`REVOKE CONNECT ON DATABASE ${ident(svc.database)} FROM PUBLIC`);
  });
  await runTool(tools.pgRestore, ['--exit-on-error', `--dbname=${withDatabase(ctx.settings.pgSuperuserUrl, svc.database)}`, file], tools.source);
  return { tables: await assertRoleCanUseTables(ctx, svc) };
}

/** Every table of the restored schema is owned by (or fully granted to) the service's role, as its migrations left it. */
export async function assertRoleCanUseTables(ctx: OpsContext, svc: ServiceSettings): Promise<number> {
  const role = roleOf(svc);
  return ctx.withSuperuser(svc.database, async (c) => {
    const rows = (
      await c.query<{ table: string; ok: boolean }>(
        `SELECT format('%I.%I', schemaname, tablename) AS table,
                has_table_privilege($1, format('%I.%I', schemaname, tablename), 'SELECT, INSERT, UPDATE, DELETE') AS ok
           FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
        [role],
      )
    ).rows;
    const bad = rows.filter((r) => !r.ok).map((r) => r.table);
    if (bad.length > 0) throw failure(`after the restore ${role} cannot use ${bad.join(', ')}`, `grant them to ${role} (the dump's owners differ from the migrations')`);
    if (rows.length === 0) throw failure(`the restored ${svc.database} has no tables: is the dump empty?`);
    return rows.length;
  });
}
