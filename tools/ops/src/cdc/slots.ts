import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'pg';
import type { ConnectClient, ConnectorStatus } from '../clients/connect';
import { OpsError } from '../errors';

/**
 * The CDC side of `ops lag` and `ops connector`: each connector's tasks as Kafka Connect reports
 * them, cross-checked with its PostgreSQL replication slot. Debezium keeps a task RUNNING while it
 * retries a lost connection, so RUNNING alone does not mean "streaming": only a RUNNING task whose
 * slot is `active` (a walsender holds it) is.
 */

export interface SlotInfo {
  slot: string;
  database: string | null;
  active: boolean;
  walStatus: string | null;
  /** Bytes of WAL the slot keeps (current LSN − restart_lsn). */
  retainedBytes: number | null;
  /** Bytes not yet confirmed by the consumer (current LSN − confirmed_flush_lsn). */
  unconfirmedBytes: number | null;
  /** NULL in PostgreSQL when max_slot_wal_keep_size = -1 (unlimited). */
  safeWalSize: number | null;
  confirmedFlushLsn: string | null;
}

export async function replicationSlots(db: Client): Promise<Map<string, SlotInfo>> {
  const rows = (
    await db.query<{
      slot_name: string;
      database: string | null;
      active: boolean;
      wal_status: string | null;
      safe_wal_size: string | null;
      retained_bytes: string | null;
      unconfirmed_bytes: string | null;
      confirmed_flush_lsn: string | null;
    }>(`
      SELECT slot_name, database, active, wal_status, safe_wal_size, confirmed_flush_lsn::text,
             pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)         AS retained_bytes,
             pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) AS unconfirmed_bytes
        FROM pg_replication_slots
       WHERE slot_type = 'logical'`)
  ).rows;
  const num = (v: string | null): number | null => (v === null ? null : Number(v));
  return new Map(
    rows.map((r) => [
      r.slot_name,
      {
        slot: r.slot_name,
        database: r.database,
        active: r.active,
        walStatus: r.wal_status,
        retainedBytes: num(r.retained_bytes),
        unconfirmedBytes: num(r.unconfirmed_bytes),
        safeWalSize: num(r.safe_wal_size),
        confirmedFlushLsn: r.confirmed_flush_lsn,
      },
    ]),
  );
}

/** A slot whose WAL is at risk or gone: the connector cannot resume from it (PG docs, wal_status). */
export const slotUnhealthy = (s: SlotInfo): boolean => !s.active || s.walStatus === 'unreserved' || s.walStatus === 'lost';

const CONNECTORS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'infra', 'kafka', 'connectors');

/** The connector's slot: from its registered config, else from infra/kafka/connectors/<name>.json. */
export async function slotNameOf(connect: ConnectClient, connector: string): Promise<string | null> {
  const config = await connect.config(connector).catch((error: unknown) => {
    if (error instanceof OpsError && error.exitCode !== 1) throw error;
    return undefined;
  });
  if (config?.['slot.name']) return config['slot.name'];
  const file = path.join(CONNECTORS_DIR, `${connector}.json`);
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return typeof parsed['slot.name'] === 'string' ? parsed['slot.name'] : null;
}

export type TaskHealth = 'streaming' | 'retrying (not streaming)' | 'failed' | 'paused' | 'unassigned' | 'restarting' | 'stopped' | 'unknown';

export interface TaskView {
  id: number;
  state: string;
  health: TaskHealth;
  workerId: string | null;
  /** The first line of the task's trace (FAILED tasks carry one). */
  traceHead: string | null;
}

export interface ConnectorView {
  service: string;
  connector: string;
  /** Connect knows the connector. */
  registered: boolean;
  connectorState: string | null;
  tasks: TaskView[];
  slot: SlotInfo | null;
  slotName: string | null;
  /** Every task RUNNING and the slot active: CDC is really flowing. */
  streaming: boolean;
  problems: string[];
}

const traceHead = (trace: string | undefined): string | null => (trace ? (trace.split('\n')[0] ?? '').slice(0, 300) : null);

/** Pure: a connector's health from Connect's status and the slot (connector.spec.ts covers it). */
export function connectorView(service: string, connector: string, status: ConnectorStatus | undefined, slotName: string | null, slot: SlotInfo | undefined): ConnectorView {
  const problems: string[] = [];
  if (!status) problems.push(`${connector} is not registered in Kafka Connect`);
  const slotActive = slot?.active === true;
  const tasks: TaskView[] = (status?.tasks ?? []).map((t) => {
    let health: TaskHealth;
    switch (t.state) {
      case 'RUNNING':
        health = slotActive ? 'streaming' : 'retrying (not streaming)';
        break;
      case 'FAILED':
        health = 'failed';
        break;
      case 'PAUSED':
        health = 'paused';
        break;
      case 'UNASSIGNED':
        health = 'unassigned';
        break;
      case 'RESTARTING':
        health = 'restarting';
        break;
      case 'STOPPED':
        health = 'stopped';
        break;
      default:
        health = 'unknown';
    }
    return { id: t.id, state: t.state, health, workerId: t.worker_id ?? null, traceHead: traceHead(t.trace) };
  });
  if (status && status.connector.state !== 'RUNNING') problems.push(`${connector} is ${status.connector.state}`);
  if (status && tasks.length === 0) problems.push(`${connector} has no tasks`);
  for (const t of tasks) if (t.health !== 'streaming') problems.push(`${connector} task ${t.id} is ${t.health}${t.health === 'retrying (not streaming)' ? ' (Connect says RUNNING, but its slot is not active)' : ''}${t.traceHead ? `: ${t.traceHead}` : ''}`);
  if (!slotName) problems.push(`${connector}: its replication slot is unknown`);
  else if (!slot) problems.push(`${connector}: replication slot ${slotName} does not exist`);
  else {
    if (!slot.active) problems.push(`${connector}: replication slot ${slotName} is inactive (nothing reads it)`);
    if (slot.walStatus === 'unreserved' || slot.walStatus === 'lost') problems.push(`${connector}: replication slot ${slotName} wal_status is ${slot.walStatus}`);
  }
  return {
    service,
    connector,
    registered: status !== undefined,
    connectorState: status?.connector.state ?? null,
    tasks,
    slot: slot ?? null,
    slotName,
    streaming: status !== undefined && status.connector.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.health === 'streaming') && slot !== undefined && !slotUnhealthy(slot),
    problems,
  };
}
