// The recovery drill's parts (issue 10, "Proven by tests"), shared by the drill of each service and
// by the "ops killed mid-recovery" suite: mixed traffic, a backup, the never-broken twin, the lost
// database, `ops recover`, and what "converged" means (every table equal to the twin row for row,
// no email sent twice, no second charge, no event applied twice downstream, CDC streaming).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { queryAsSuperuser, runOps, testNemesis, waitFor, waitForCaughtUp, type OpsRun } from '@paystate/testing';
import { SERVICES } from '@paystate/stack';
import { CONSUMERS, Saga, SagaService, uniqueSku, unshippableSku, type ProcessorCounts } from '../../saga/support/saga';

/**
 * What is compared per table. Every table of the service's database is compared (a table not listed
 * here is compared whole); `exclude` lists the only columns allowed to differ — the time the restored
 * service processed the replayed record, and identity columns numbered in processing order — and
 * `sql` replaces `SELECT *` where a row is identified through another table.
 */
export interface TableSpec {
  exclude?: string[];
  sql?: string;
  /** Not compared at all (and why). */
  skip?: string;
}

/**
 * The ledger's audit of how each fact was booked records the order it arrived in: posted at once, or
 * parked and released by the capture. A live fetch may still meet a dispatch before its capture (the
 * ledger parks it); the catch-up after a restore goes in timestamp order (ADR 0020) and posts it at
 * once. Both book the same journal from the same fact, which is what is compared.
 */
const ARRIVAL_ORDER = 'records a live reordering (a parked fact) that a timestamp-ordered catch-up does not repeat; fact_outcome compares what each fact was booked as';

export const TABLES: Record<string, Record<string, TableSpec>> = {
  'ledger-service': {
    // position: identity in posting order; posted_at: when the fact was processed
    journal: { exclude: ['position', 'posted_at'] },
    // id: identity in posting order
    posting: { exclude: ['id'] },
    fact_outcome: {
      sql: `SELECT journal_key, journal_id, order_id, source_event_id, source_event_type, detail,
                   CASE WHEN outcome IN ('POSTED', 'RELEASED') THEN 'BOOKED' ELSE outcome END AS outcome
              FROM fact_outcome WHERE outcome <> 'PARKED'`,
    },
    parked_fact: { skip: ARRIVAL_ORDER },
    inbox: { exclude: ['processed_at'] },
    dead_letter: { exclude: ['created_at'] },
  },
  'fulfilment-service': {
    fulfilment_order: { exclude: ['created_at', 'updated_at'] },
    reservation: { exclude: ['created_at', 'updated_at'] },
    shipment: { exclude: ['created_at'] },
    // id: bigserial in processing order
    fulfilment_transition: { exclude: ['id', 'at'] },
    stock: { exclude: ['updated_at'] },
    inbox: { exclude: ['processed_at'] },
    dead_letter: { exclude: ['created_at'] },
  },
  'notification-service': {
    notification: { exclude: ['next_attempt_at', 'locked_until', 'created_at', 'updated_at'] },
    // id: bigserial in processing order
    notification_transition: { exclude: ['id', 'at'] },
    order_recipient: { exclude: ['recorded_at'] },
    inbox: { exclude: ['processed_at'] },
    dead_letter: { exclude: ['created_at'] },
    notification_sent_receipt: { skip: "the recovery's own record of NotificationSent (empty in the twin)" },
  },
  'payment-service': {
    payments: { exclude: ['created_at', 'updated_at'] },
    // id: bigserial in processing order
    payment_transition: { exclude: ['id', 'at'] },
    // when the executor claimed, retried and settled the operation, and how its calls went on the
    // way (attempts, last_error: live a call may time out on a busy processor and be retried with the
    // same key; the outcome and the processor's object id are compared)
    payment_operation: { exclude: ['locked_until', 'next_attempt_at', 'deadline_at', 'created_at', 'updated_at', 'attempts', 'last_error'] },
    processor_webhook: { skip: 'an HTTP input, on no topic: the processor sends no webhook for a replayed Idempotency-Key, so the ones received after the backup are not re-received; the drill checks apart that none of them moved anything the replay does not' },
    inbox: { exclude: ['processed_at'] },
    dead_letter: { exclude: ['created_at'] },
  },
  'order-service': {
    // placed_at is the HTTP request's, restored with the backup; updated_at: when a fact was processed
    orders: { exclude: ['updated_at'] },
    // id: bigserial in processing order
    order_transition: { exclude: ['id', 'at'] },
    // seq: in processing order; recorded_at: when it was processed; occurred_at is the event's own
    // time, which for order-service's own events is when it processed their cause (compared for the others)
    order_timeline: { exclude: ['seq', 'recorded_at', 'occurred_at'], sql: `SELECT *, CASE WHEN service = 'order-service' THEN NULL ELSE occurred_at END AS occurred_at_of_others FROM order_timeline` },
    inbox: { exclude: ['processed_at'] },
    dead_letter: { exclude: ['created_at'] },
  },
};

export type Snapshot = Record<string, string[]>;

export const databaseOf = (service: string): string => SERVICES.find((s) => s.name === service)!.database;

/** Every table of the service's database, each row as canonical JSON without the excluded columns, sorted. */
export async function snapshot(service: string): Promise<Snapshot> {
  const db = databaseOf(service);
  const tables = (await queryAsSuperuser<{ tablename: string }>(db, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map((t) => t.tablename);
  const out: Snapshot = {};
  for (const table of tables) {
    const spec = TABLES[service]?.[table] ?? {};
    if (spec.skip) continue;
    const rows = await queryAsSuperuser<Record<string, unknown>>(db, spec.sql ?? `SELECT * FROM "${table}"`);
    out[table] = rows
      .map((r) => {
        const kept = Object.keys(r)
          .filter((k) => !(spec.exclude ?? []).includes(k))
          .sort()
          .map((k) => {
            const v = r[k];
            return [k, v instanceof Date ? v.toISOString() : v];
          });
        return JSON.stringify(Object.fromEntries(kept));
      })
      .sort();
  }
  return out;
}

/** Inbox rows per downstream group of the topic the service emits on. */
export async function downstreamInboxCounts(service: string): Promise<Record<string, number>> {
  const key = SERVICES.find((s) => s.name === service)!.key;
  const topic = `${key}.events`;
  const out: Record<string, number> = {};
  for (const def of SERVICES.filter((s) => s.consumes?.includes(topic))) {
    const [row] = await queryAsSuperuser<{ n: string }>(def.database, 'SELECT count(*) AS n FROM inbox WHERE topic = $1', [topic]);
    out[def.name] = Number(row!.n);
  }
  return out;
}

/** The database is lost: its slot is dropped (terminating Debezium's walsender) and the database dropped, as the superuser. */
export async function loseDatabase(service: string): Promise<void> {
  const db = databaseOf(service);
  const slot = `paystate_${SERVICES.find((s) => s.name === service)!.key}_outbox`;
  await waitFor(`slot ${slot} dropped`, async () => {
    await queryAsSuperuser('postgres', 'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [slot]);
    try {
      await queryAsSuperuser('postgres', 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    } catch {
      return undefined; // Debezium took it again in between
    }
    return (await queryAsSuperuser('postgres', 'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).length === 0 ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 50 });
  await queryAsSuperuser('postgres', `DROP DATABASE "${db}" WITH (FORCE)`);
}

export const explain = (r: OpsRun): string => `exit ${r.code}\nstdout: ${r.stdout.slice(-4000)}\nstderr: ${r.stderr.slice(-4000)}`;

/** The arguments of the unattended recovery every drill runs (and re-runs). */
export const recoverArgs = (service: string, file: string): string[] => ['recover', service, '--backup', file, '--start', '--execute', '--reason', 'drill', '--yes', '--no-input'];

/** What the world looked like just before the database was lost: the twin and the side effects. */
export interface BeforeLoss {
  service: SagaService;
  file: string;
  twin: Snapshot;
  mails: Record<string, number>;
  charges: Record<string, ProcessorCounts>;
  downstream: Record<string, number>;
  /** The orders placed after the backup: the ones the recovery replays. */
  replayedOrders: string[];
}

/** What the world looks like once the recovered service has converged. */
export interface AfterRecovery {
  restored: Snapshot;
  mails: Record<string, number>;
  charges: Record<string, ProcessorCounts>;
  downstream: Record<string, number>;
  slotActive: boolean | undefined;
}

const final = (o: { status: string }): boolean => o.status === 'COMPLETED' || o.status === 'CANCELLED';

/** One drill suite's saga, skus and the orders and recipients it made. */
export class Drill {
  readonly saga = new Saga();
  readonly dir = mkdtempSync(path.join(tmpdir(), 'paystate-drill-'));
  readonly sku = uniqueSku('drill');
  readonly scarce = uniqueSku('drill-none');
  readonly unshippable = unshippableSku('drill');
  readonly emails: string[] = [];
  readonly orderIds: string[] = [];

  /** Starts the saga; every write that is not event-driven happens here, before any backup (a restore loses those). */
  async setUp(): Promise<void> {
    await this.saga.start();
    await this.saga.setStock(this.sku, 1000);
    await this.saga.setStock(this.scarce, 0);
    await this.saga.setStock(this.unshippable, 1000);
  }

  /** Stops the saga and the services ops recover started through the stack's launcher. */
  async tearDown(services: readonly string[]): Promise<void> {
    await this.saga.stop();
    const nemesis = testNemesis();
    for (const name of services) {
      const target = nemesis.service(name);
      if (target.running()) await target.terminate();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** N orders of mixed paths (happy, declined, out of stock, shipment failed → refund), all to their end. */
  async placeMixed(n: number): Promise<string[]> {
    const ids = await this.placeOnly(n);
    await this.toTheirEnd(ids);
    return ids;
  }

  /** N orders of mixed paths placed (order-service answered 201), not waited for. */
  async placeOnly(n: number): Promise<string[]> {
    const kinds = [
      { sku: this.sku, paymentMethod: 'tok_visa_approve' },
      { sku: this.sku, paymentMethod: 'tok_decline' },
      { sku: this.scarce, paymentMethod: 'tok_visa_approve' },
      { sku: this.unshippable, paymentMethod: 'tok_visa_approve' },
      { sku: this.sku, paymentMethod: 'tok_visa_approve' },
    ];
    const placed = await Promise.all(Array.from({ length: n }, (_, i) => this.saga.placeOrder(kinds[i % kinds.length]!)));
    for (const p of placed) this.emails.push(p.email);
    const ids = placed.map((p) => p.id);
    this.orderIds.push(...ids);
    return ids;
  }

  async toTheirEnd(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.saga.waitOrder(id, 'at its end', final, 120_000);
    await this.settled();
  }

  /** Every group caught up and every email out (the delivery runs after the commit). */
  async settled(): Promise<void> {
    await this.saga.caughtUp();
    await waitFor('no notification left to send', async () => {
      const [row] = await queryAsSuperuser<{ n: string }>('paystate_notification', `SELECT count(*) AS n FROM notification WHERE status = 'PENDING'`);
      return Number(row!.n) === 0 ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
  }

  /** The processor's own records (authorisations, captures, voids, refunds, declines) per order. */
  async processorCounts(): Promise<Record<string, ProcessorCounts>> {
    const out: Record<string, ProcessorCounts> = {};
    for (const id of this.orderIds) {
      const payment = await this.saga.payment(id);
      if (payment) out[id] = await this.saga.processorRecords(payment.id);
    }
    return out;
  }

  /** The mail sink's messages per Message-ID, for every recipient of the suite. */
  async messageIdCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const email of this.emails) for (const m of await this.saga.mailsTo(email)) counts[m.MessageID] = (counts[m.MessageID] ?? 0) + 1;
    return counts;
  }

  /**
   * Some history, a backup, `n` more orders the restored database never saw, then the twin. With
   * `placedBeforeBackup` the `n` orders are placed while payment-service is stopped and the backup is
   * taken before it starts again: what the restored database misses is then only event-driven (the
   * order placements are HTTP writes of order-service, which no topic replays; ADR 0019).
   */
  async backupThenTraffic(service: SagaService, opts: { n?: number; placedBeforeBackup?: boolean } = {}): Promise<BeforeLoss> {
    const n = opts.n ?? 20;
    await this.placeMixed(5); // some history before the backup
    const file = path.join(this.dir, `${service}-${Date.now()}.dump`);
    const takeBackup = async (): Promise<void> => {
      const backup = await runOps(['backup', service, '--out', file]);
      expect({ code: backup.code, stderr: backup.stderr }).toMatchObject({ code: 0 });
      expect(backup.json).toMatchObject({ service, database: databaseOf(service) });
    };
    let replayedOrders: string[];
    if (opts.placedBeforeBackup) {
      await this.saga.stopService('payment-service');
      replayedOrders = await this.placeOnly(n);
      // the other groups have seen OrderPlaced (order-service has nothing to consume yet)
      for (const [group, topics] of Object.entries(CONSUMERS)) if (group !== 'payment-service') await waitForCaughtUp(this.saga.brokers, group, topics);
      await takeBackup();
      await this.saga.startService('payment-service');
      await this.toTheirEnd(replayedOrders);
    } else {
      await takeBackup();
      replayedOrders = await this.placeMixed(n);
    }
    // the twin is what the service made of everything on its topics so far: it must have read it all
    // (a fact of another suite's order still on its way would be only in the restored database)
    for (const [group, topics] of Object.entries(CONSUMERS)) await waitForCaughtUp(this.saga.brokers, group, topics);
    const before: BeforeLoss = { service, file, twin: await snapshot(service), mails: await this.messageIdCounts(), charges: await this.processorCounts(), downstream: await downstreamInboxCounts(service), replayedOrders };
    expect(Object.values(before.mails).every((c) => c === 1)).toBe(true);
    return before;
  }

  /** The service is stopped and its database lost (the slot goes with it). */
  async lose(service: SagaService): Promise<void> {
    await this.saga.stopService(service);
    await loseDatabase(service);
  }

  /** Runs the unattended recovery to its end and checks its own report. */
  async recover(before: BeforeLoss): Promise<OpsRun> {
    const t = Date.now();
    const recovered = await runOps(recoverArgs(before.service, before.file), { timeoutMs: 600_000 });
    if (recovered.code !== 0) throw new Error(`ops recover failed: ${explain(recovered)}`);
    process.stderr.write(`[drill] ${before.service} recovered in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    const report = recovered.json as { records: { replayed: number; processed: number }; checks: { name: string; ok: boolean }[] };
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(report.records.replayed).toBeGreaterThan(0);
    return recovered;
  }

  /** Once everything downstream had time to see whatever the restored service re-emitted: the world after. */
  async after(service: SagaService): Promise<AfterRecovery> {
    await this.settled();
    await this.saga.caughtUp();
    // the connector streams from its new slot, which has confirmed everything written
    const [slot] = await queryAsSuperuser<{ active: boolean }>('postgres', 'SELECT active FROM pg_replication_slots WHERE database = $1', [databaseOf(service)]);
    return { restored: await snapshot(service), mails: await this.messageIdCounts(), charges: await this.processorCounts(), downstream: await downstreamInboxCounts(service), slotActive: slot?.active };
  }

  /** A recovery re-run after it finished prints the stored report and changes nothing. */
  async expectRerunChangesNothing(before: BeforeLoss, after: AfterRecovery): Promise<void> {
    const again = await runOps(recoverArgs(before.service, before.file));
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ alreadyDone: true });
    expect(await snapshot(before.service)).toEqual(after.restored);
  }

  /** The whole drill of one service, returning both worlds for the caller's assertions. */
  async run(service: SagaService, opts: { refuseWhileRunning?: boolean; placedBeforeBackup?: boolean } = {}): Promise<{ before: BeforeLoss; after: AfterRecovery }> {
    const before = await this.backupThenTraffic(service, { placedBeforeBackup: opts.placedBeforeBackup === true });
    if (opts.refuseWhileRunning) {
      const refused = await runOps(recoverArgs(service, before.file));
      expect(refused.code).toBe(77);
      expect(refused.stderr + refused.stdout).toMatch(/is running/);
      expect(await snapshot(service)).toEqual(before.twin);
    }
    await this.lose(service);
    await this.recover(before);
    const after = await this.after(service);
    return { before, after };
  }
}

/** Every table equal to the twin row for row (but `except`), and no effect repeated anywhere. */
export function expectConverged(before: BeforeLoss, after: AfterRecovery, opts: { except?: readonly string[] } = {}): void {
  const except = new Set(opts.except ?? []);
  for (const table of Object.keys(before.twin)) if (!except.has(table)) expect({ table, rows: after.restored[table] }).toEqual({ table, rows: before.twin[table] });
  expect(Object.keys(after.restored).sort()).toEqual(Object.keys(before.twin).sort());
  expect(after.mails).toEqual(before.mails); // no email sent twice
  expect(after.charges).toEqual(before.charges); // no second charge
  expect(after.downstream).toEqual(before.downstream); // no event applied twice downstream
  expect(after.slotActive).toBe(true);
}

/** The rows of a table that differ between the twin and the restored database, both ways (for a report). */
export function tableDiff(before: BeforeLoss, after: AfterRecovery, table: string): { onlyInTwin: string[]; onlyRestored: string[] } {
  const twin = new Set(before.twin[table] ?? []);
  const restored = new Set(after.restored[table] ?? []);
  return { onlyInTwin: [...twin].filter((r) => !restored.has(r)), onlyRestored: [...restored].filter((r) => !twin.has(r)) };
}
