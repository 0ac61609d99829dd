import type { OpsContext } from '../context';
import { failure } from '../errors';
import type { ServiceSettings } from '../settings';
import { ident } from './names';

export interface ConnectorFacts {
  connector: string;
  slot: string;
  publication: string;
  snapshotMode: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw failure(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The connector of a service and the names in its config. */
export async function connectorFacts(ctx: OpsContext, svc: ServiceSettings): Promise<ConnectorFacts> {
  if (!svc.connector) throw failure(`${svc.name} has no outbox connector`);
  const config = await ctx.connect.config(svc.connector);
  if (!config) throw failure(`Kafka Connect does not know the connector ${svc.connector}`, 'register it (the stack does at `up`) and retry');
  const slot = config['slot.name'] ?? 'debezium';
  return { connector: svc.connector, slot, publication: config['publication.name'] ?? 'dbz_publication', snapshotMode: config['snapshot.mode'] ?? 'initial' };
}

export interface SlotRow {
  active: boolean;
  active_pid: number | null;
  database: string;
}

export async function slotOf(ctx: OpsContext, slot: string): Promise<SlotRow | undefined> {
  return ctx.withSuperuser('postgres', async (c) => (await c.query<SlotRow>('SELECT active, active_pid, database FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]);
}

/** KIP-875 stop, and waits until Connect reports it STOPPED with no task (its slot then goes inactive). */
export async function stopConnector(ctx: OpsContext, facts: ConnectorFacts): Promise<void> {
  const status = await ctx.connect.status(facts.connector);
  if (status?.connector.state !== 'STOPPED') await ctx.connect.stop(facts.connector);
  await until(`${facts.connector} to be STOPPED`, async () => {
    const s = await ctx.connect.status(facts.connector);
    return s?.connector.state === 'STOPPED' && s.tasks.length === 0 ? true : undefined;
  }, 60_000);
}

/**
 * Drops the connector's replication slot if it exists. It belonged to the database before the
 * restore: its position means nothing now. It must be inactive (the connector stopped); a slot
 * still active after 30 s is a failure, never terminated behind Debezium's back.
 */
export async function dropSlot(ctx: OpsContext, facts: ConnectorFacts): Promise<boolean> {
  const slot = await slotOf(ctx, facts.slot);
  if (!slot) return false;
  await until(`replication slot ${facts.slot} to become inactive (is another Debezium task still using it?)`, async () => ((await slotOf(ctx, facts.slot))?.active ? undefined : true), 30_000);
  await ctx.withSuperuser('postgres', (c) => c.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1', [facts.slot]));
  return true;
}

/** The publication the connector reads (pg_dump restores it; created as `filtered` autocreate would, if missing). */
export async function ensurePublication(ctx: OpsContext, svc: ServiceSettings, facts: ConnectorFacts): Promise<'present' | 'created'> {
  return ctx.withSuperuser(svc.database, async (c) => {
    const rows = await c.query<{ tablename: string }>('SELECT tablename FROM pg_publication_tables WHERE pubname = $1', [facts.publication]);
    const exists = (await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [facts.publication])).rowCount !== 0;
    if (exists && rows.rows.some((r) => r.tablename === 'outbox')) return 'present';
    if (exists) await c.query(`ALTER PUBLICATION ${ident(facts.publication)} ADD TABLE public.outbox`);
    else await c.query(`CREATE PUBLICATION ${ident(facts.publication)} FOR TABLE public.outbox`);
    return 'created';
  });
}

/** Deletes the connector's stored source offsets (an LSN of the lost database) and checks none is left. */
export async function resetConnectorOffsets(ctx: OpsContext, facts: ConnectorFacts): Promise<number> {
  const before = (await ctx.connect.offsets(facts.connector)).offsets.filter((o) => o.offset !== null).length;
  if (before > 0) await ctx.connect.deleteOffsets(facts.connector);
  const left = (await ctx.connect.offsets(facts.connector)).offsets.filter((o) => o.offset !== null);
  if (left.length > 0) throw failure(`${facts.connector} still has stored offsets after DELETE: ${JSON.stringify(left)}`);
  return before;
}

/**
 * Resumes the connector and waits until its task is RUNNING and its (new) slot is active: a task in
 * Debezium's retry loop also reports RUNNING, the active slot is what shows it streams.
 */
export async function resumeAndWaitStreaming(ctx: OpsContext, svc: ServiceSettings, facts: ConnectorFacts, timeoutMs = 120_000): Promise<void> {
  await ctx.connect.resume(facts.connector);
  await until(`${facts.connector}'s task RUNNING and its slot ${facts.slot} active`, async () => {
    const s = await ctx.connect.status(facts.connector);
    const task = s?.tasks[0];
    if (s?.connector.state !== 'RUNNING' || task?.state !== 'RUNNING') {
      if (task?.state === 'FAILED') throw failure(`${facts.connector}'s task FAILED: ${(task.trace ?? '').split('\n')[0]}`);
      return undefined;
    }
    const slot = await slotOf(ctx, facts.slot);
    return slot?.active && slot.database === svc.database ? true : undefined;
  }, timeoutMs);
}

/** The CDC repair after a restore, in order; each step checks its postcondition first. */
export async function resyncCdc(ctx: OpsContext, svc: ServiceSettings, log: (step: string) => void): Promise<{ slotDropped: boolean; publication: string; offsetsDeleted: number; snapshotMode: string }> {
  const facts = await connectorFacts(ctx, svc);
  log(`stopping ${facts.connector}`);
  await stopConnector(ctx, facts);
  const slotDropped = await dropSlot(ctx, facts);
  log(slotDropped ? `dropped replication slot ${facts.slot}` : `replication slot ${facts.slot}: none`);
  const publication = await ensurePublication(ctx, svc, facts);
  log(`publication ${facts.publication}: ${publication}`);
  const offsetsDeleted = await resetConnectorOffsets(ctx, facts);
  log(`connector offsets deleted: ${offsetsDeleted}`);
  await resumeAndWaitStreaming(ctx, svc, facts);
  log(`${facts.connector} streaming from a new slot ${facts.slot}`);
  return { slotDropped, publication, offsetsDeleted, snapshotMode: facts.snapshotMode };
}

/**
 * Whether the connector streams and its slot has confirmed everything the service's database wrote
 * so far. A quiet database does not move its slot (the cluster's WAL position is no target), so ops
 * writes a transactional logical message into the service's database (pg_logical_emit_message: no
 * table, no event) and waits until the slot confirmed past it: WAL is ordered, so everything written
 * before it has been streamed.
 */
export async function slotCaughtUp(ctx: OpsContext, svc: ServiceSettings, facts: ConnectorFacts, timeoutMs = 90_000): Promise<{ active: boolean; lagBytes: number }> {
  const target = await ctx.withSuperuser(svc.database, async (c) => (await c.query<{ lsn: string }>(`SELECT pg_logical_emit_message(true, 'paystate-ops', 'recover: slot check')::text AS lsn`)).rows[0]!.lsn);
  return until(`slot ${facts.slot} to confirm WAL up to ${target}`, async () => {
    const row = await ctx.withSuperuser('postgres', async (c) =>
      (await c.query<{ active: boolean; lag: string }>('SELECT active, pg_wal_lsn_diff($2::pg_lsn, confirmed_flush_lsn)::text AS lag FROM pg_replication_slots WHERE slot_name = $1', [facts.slot, target])).rows[0],
    );
    if (!row) return undefined;
    const lag = Number(row.lag);
    return row.active && lag <= 0 ? { active: true, lagBytes: Math.max(lag, 0) } : undefined;
  }, timeoutMs, 1000);
}
