import type { ConnectClient } from '../clients/connect';
import { OpsError } from '../errors';

/**
 * Debezium's stored source offset against its replication slot. Debezium confirms an LSN to the
 * slot (confirmed_flush_lsn) only after Connect has committed the offset holding it, so the stored
 * offset is normally equal to the slot's position or ahead of it by one offset-flush interval. A
 * slot confirmed past the stored offset means the slot was advanced (or the offsets restored or
 * reset) behind Debezium's back: on restart Debezium asks for its offset's LSN, PostgreSQL streams
 * from the slot's confirmed position, and the changes in between never reach Kafka.
 */

/** A PostgreSQL LSN (`X/Y`, two hexadecimal 32-bit halves) as a byte position; null when it is not one. */
export function lsnToNumber(lsn: string | null | undefined): number | null {
  if (!lsn) return null;
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) return null;
  return parseInt(m[1]!, 16) * 2 ** 32 + parseInt(m[2]!, 16);
}

export function lsnToText(n: number): string {
  const hi = Math.floor(n / 2 ** 32);
  const lo = n - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** The LSN Debezium flushes to the slot, from one offset: lsn_commit, else lsn_proc, else lsn (PostgresStreamingChangeEventSource#commitOffset). */
export function storedLsn(offset: Record<string, unknown> | null | undefined): { lsn: number; key: string } | null {
  if (!offset) return null;
  for (const key of ['lsn_commit', 'lsn_proc', 'lsn']) {
    const v = offset[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { lsn: v, key };
  }
  return null;
}

export type OffsetVerdict = 'in step' | 'slot behind offset' | 'offset behind slot' | 'no stored offset' | 'unknown';

export interface OffsetComparison {
  connector: string;
  slot: string | null;
  /** The stored source offset's LSN (`X/Y`), and which key of the offset held it. */
  offsetLsn: string | null;
  offsetKey: string | null;
  confirmedFlushLsn: string | null;
  /** confirmed_flush_lsn − the offset's LSN in bytes: > 0 the slot is past the offset; null when either is unknown. */
  gapBytes: number | null;
  verdict: OffsetVerdict;
  /** Set when the verdict is a problem, or why it is unknown. */
  note: string | null;
  problem: boolean;
}

/** Pure: the verdict from the stored offsets of one connector and its slot's confirmed_flush_lsn. */
export function compareOffset(connector: string, slot: string | null, offsets: readonly { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[] | null, confirmedFlushLsn: string | null, why?: string): OffsetComparison {
  const base = { connector, slot, confirmedFlushLsn };
  if (offsets === null) return { ...base, offsetLsn: null, offsetKey: null, gapBytes: null, verdict: 'unknown', note: why ?? 'the stored offsets could not be read', problem: false };
  const stored = offsets.map((o) => storedLsn(o.offset)).filter((s): s is { lsn: number; key: string } => s !== null);
  if (stored.length === 0)
    return { ...base, offsetLsn: null, offsetKey: null, gapBytes: null, verdict: 'no stored offset', note: 'Connect holds no offset for it: on its next start Debezium follows snapshot.mode', problem: false };
  const at = stored.reduce((a, b) => (b.lsn > a.lsn ? b : a));
  const confirmed = lsnToNumber(confirmedFlushLsn);
  const offsetLsn = lsnToText(at.lsn);
  if (confirmed === null) return { ...base, offsetLsn, offsetKey: at.key, gapBytes: null, verdict: 'unknown', note: slot ? `slot ${slot} has no confirmed_flush_lsn` : 'its replication slot is unknown', problem: false };
  const gap = confirmed - at.lsn;
  if (gap === 0) return { ...base, offsetLsn, offsetKey: at.key, gapBytes: 0, verdict: 'in step', note: null, problem: false };
  if (gap < 0) return { ...base, offsetLsn, offsetKey: at.key, gapBytes: gap, verdict: 'slot behind offset', note: 'the slot confirms after the next offset commit; a restart re-reads that WAL (consumers deduplicate)', problem: false };
  return {
    ...base,
    offsetLsn,
    offsetKey: at.key,
    gapBytes: gap,
    verdict: 'offset behind slot',
    note: `the slot was confirmed ${gap} bytes past the stored offset: on restart the changes in between are not streamed (runbook §10; ops connector resync)`,
    problem: true,
  };
}

/** Reads a connector's stored offsets (GET /connectors/<name>/offsets); null with the reason when Connect would not say. */
export async function readStoredOffsets(connect: ConnectClient, connector: string): Promise<{ offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> | null }[] | null; why?: string }> {
  try {
    return { offsets: (await connect.offsets(connector)).offsets };
  } catch (error) {
    if (error instanceof OpsError && error.exitCode === 1) return { offsets: null, why: error.message };
    throw error;
  }
}
