import * as path from 'node:path';
import { Nemesis } from '@paystate/stack';
import type { CommandModule } from '../command';
import type { DangerFlags, OpsContext } from '../context';
import { EXIT, failure, usageError } from '../errors';
import { table } from '../output';
import { BackupInfo, readBackup } from '../recovery/backup-file';
import { ConnectorFacts, connectorFacts, dropSlot, resyncCdc, slotCaughtUp, slotOf, stopConnector } from '../recovery/cdc';
import { handlerPattern } from '../recovery/names';
import { PgTools, findPgTools } from '../recovery/pg-tools';
import { committedOffsets, logBounds, PartitionPosition, positionsFromInbox, remaining, resetGroup } from '../recovery/positions';
import { PRE_START_REPAIRS } from '../recovery/pre-start';
import { RecoveryRow, RecoveryStore } from '../recovery/progress-store';
import { recreateAndRestore } from '../recovery/restore';
import { assertStopped, runningEvidence } from '../recovery/service-state';
import { Check, SERVICE_CHECKS } from '../recovery/verify';
import type { ServiceSettings } from '../settings';

interface RecoverFlags extends DangerFlags {
  backup: string;
  start?: boolean;
  margin: string;
  waitTimeout: string;
}

/** The steps of a recovery, in order (ADR 0019). Each is recorded in ops_recovery when it is done. */
export const RECOVERY_STEPS = [
  'connector-stopped',
  'slot-dropped',
  'database-restored',
  'cdc-repaired',
  'offsets-reset',
  'pre-start-repair',
  'end-offsets-captured',
  'started',
  'converged',
  'verified',
] as const;
type Step = (typeof RECOVERY_STEPS)[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw usageError(`${flag} must be a number of seconds ≥ 0, not "${value}"`);
  return n;
}

async function countRows(ctx: OpsContext, svc: ServiceSettings): Promise<{ inbox: number; deadLetters: number }> {
  const group = svc.group!;
  return ctx.withSuperuser(svc.database, async (c) => {
    const inbox = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM inbox WHERE handler LIKE $1', [handlerPattern(group)])).rows[0]!.n);
    const deadLetters = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM dead_letter WHERE consumer_group = $1', [group])).rows[0]!.n);
    return { inbox, deadLetters };
  });
}

/** The procedure; every step is skipped when recorded done, so a re-run resumes where a killed one stopped. */
async function runRecovery(ctx: OpsContext, svc: ServiceSettings, backup: BackupInfo, facts: ConnectorFacts, tools: PgTools, flags: RecoverFlags, store: RecoveryStore): Promise<Record<string, unknown>> {
  const marginMs = seconds(flags.margin, '--margin') * 1000;
  const waitMs = seconds(flags.waitTimeout, '--wait-timeout') * 1000;
  const since = new Date(backup.takenAt.getTime() - marginMs);
  const group = svc.group!;
  const row: RecoveryRow = await store.open({ service: svc.name, file: backup.file, digest: backup.digest, takenAt: backup.takenAt });
  const times: Record<string, { seconds: number; run: 'this run' | 'an earlier run' }> = {};
  const step = async <T>(name: Step, work: () => Promise<T>): Promise<T> => {
    const prior = row.steps[name];
    if (prior) {
      times[name] = { seconds: prior.seconds ?? 0, run: 'an earlier run' };
      ctx.out.info(`${name}: done in an earlier run (${prior.at})`);
      return prior.result as T;
    }
    const t = Date.now();
    ctx.out.info(`${name} ...`);
    const result = await work();
    const took = (Date.now() - t) / 1000;
    await store.stepDone(row.id, name, took, result);
    row.steps[name] = { at: new Date().toISOString(), seconds: took, result };
    times[name] = { seconds: took, run: 'this run' };
    ctx.out.info(`${name}: done in ${took} s`);
    return result;
  };
  const log = (m: string): void => ctx.out.info(`  ${m}`);

  await step('connector-stopped', async () => (await stopConnector(ctx, facts), { connector: facts.connector }));
  await step('slot-dropped', async () => ({ dropped: await dropSlot(ctx, facts) }));
  const restored = await step('database-restored', async () => {
    const r = await recreateAndRestore(ctx, svc, backup.file, tools);
    return { ...r, ...(await countRows(ctx, svc)) };
  });
  await step('cdc-repaired', () => resyncCdc(ctx, svc, log));
  const reset = await step('offsets-reset', async () => {
    const positions = await positionsFromInbox(ctx, svc, since);
    await resetGroup(ctx, group, positions);
    for (const p of positions) log(`${p.topic}/${p.partition}: ${p.offset} (from ${p.from}; log ${p.low}..${p.high})`);
    return { positions };
  });
  const repair = PRE_START_REPAIRS[svc.name];
  const repaired = await step('pre-start-repair', async () => (repair ? { description: repair.description, ...(await repair.run(ctx, svc, since, log)) } : { description: 'none needed' }));
  const captured = await step('end-offsets-captured', async () => {
    const bounds = await logBounds(ctx, svc.consumes);
    return { targets: [...bounds.entries()].map(([k, b]) => ({ topic: k.slice(0, k.lastIndexOf('/')), partition: Number(k.slice(k.lastIndexOf('/') + 1)), end: b.high })) };
  });
  await step('started', async () => {
    if ((await runningEvidence(ctx, svc)).members.length > 0) return { how: 'already running' };
    if (flags.start) {
      log(`starting ${svc.name} through the ${ctx.settings.profile} stack's launcher`);
      await Nemesis.forStack(ctx.settings.profile).service(svc.name).start();
      return { how: 'started by ops (stack launcher)' };
    }
    ctx.out.info(`start ${svc.name} now (every instance); waiting up to ${waitMs / 1000} s for its consumer group ${group} to get members`);
    const deadline = Date.now() + waitMs;
    while ((await runningEvidence(ctx, svc)).members.length === 0) {
      if (Date.now() > deadline) throw failure(`${svc.name} did not start within ${waitMs / 1000} s`, `start it, then run the same ops recover again: it resumes here`);
      await sleep(1000);
    }
    return { how: 'started by the operator' };
  });
  const replayTotal = remaining(captured.targets, new Map(reset.positions.map((p: PartitionPosition) => [`${p.topic}/${p.partition}`, p.offset])));
  const converged = await step('converged', async () => {
    const t = Date.now();
    const bar = ctx.out.progress(`${group} replaying`, replayTotal);
    try {
      for (;;) {
        const left = remaining(captured.targets, await committedOffsets(ctx, group, svc.consumes));
        bar.update(replayTotal - left, replayTotal);
        if (left === 0) break;
        if (Date.now() - t > waitMs) throw failure(`${group} still has ${left} of ${replayTotal} records to consume after ${waitMs / 1000} s`, 'check `ops lag` and the service log; run the same ops recover again to keep waiting');
        await sleep(1000);
      }
    } finally {
      bar.stop();
    }
    return { replayed: replayTotal, seconds: (Date.now() - t) / 1000 };
  });
  const verified = await step('verified', async () => {
    const checks: Check[] = [];
    const status = await ctx.connect.status(facts.connector);
    const slot = await slotOf(ctx, facts.slot);
    checks.push({ name: `${facts.connector} streams`, ok: status?.tasks[0]?.state === 'RUNNING' && slot?.active === true, detail: `task ${status?.tasks[0]?.state ?? 'none'}, slot ${slot ? (slot.active ? 'active' : 'inactive') : 'missing'}` });
    const caught = await slotCaughtUp(ctx, svc, facts).then(
      (r) => ({ name: `slot ${facts.slot} caught up`, ok: true, detail: `confirmed-flush lag ${r.lagBytes} bytes` }),
      (error: unknown) => ({ name: `slot ${facts.slot} caught up`, ok: false, detail: (error as Error).message }),
    );
    checks.push(caught);
    checks.push(...((await SERVICE_CHECKS[svc.name]?.(ctx, svc)) ?? []));
    const bad = checks.filter((c) => !c.ok);
    if (bad.length > 0) throw failure(`verification failed: ${bad.map((c) => `${c.name} (${c.detail})`).join('; ')}`, 'fix it and run the same ops recover again: it resumes at the verification', { checks });
    return { checks };
  });
  const after = await countRows(ctx, svc);
  const processed = after.inbox - restored.inbox;
  const report = {
    service: svc.name,
    backup: { file: backup.file, sha256: backup.digest, takenAt: backup.takenAt.toISOString(), timeFrom: backup.timeSource },
    replayFrom: since.toISOString(),
    steps: RECOVERY_STEPS.map((s) => ({ step: s, seconds: times[s]?.seconds ?? null, run: times[s]?.run ?? null })),
    positions: reset.positions,
    preStartRepair: repaired,
    records: { replayed: converged.replayed, processed, deadLettered: after.deadLetters - restored.deadLetters, notAppliedAgain: Math.max(0, converged.replayed - processed - (after.deadLetters - restored.deadLetters)) },
    checks: verified.checks,
  };
  await store.finish(row.id, report);
  return report;
}

function render(r: Record<string, unknown>): string {
  const report = r as { service: string; backup: { file: string; takenAt: string }; steps: { step: string; seconds: unknown; run: string | null }[]; records: Record<string, number>; checks: Check[] };
  return [
    `${report.service} recovered from ${report.backup.file} (taken ${report.backup.takenAt})`,
    table(['step', 'seconds', 'done in'], report.steps.map((s) => [s.step, typeof s.seconds === 'number' ? s.seconds.toFixed(1) : typeof s.seconds === 'string' ? s.seconds : '-', s.run ?? '-'])),
    `records replayed ${report.records['replayed']}: processed ${report.records['processed']}, dead-lettered ${report.records['deadLettered']}, not applied again (deduplicated or ignored) ${report.records['notAppliedAgain']}`,
    table(['check', 'ok', 'detail'], report.checks.map((c) => [c.name, c.ok ? 'yes' : 'NO', c.detail])),
  ].join('\n');
}

/** `ops recover <service> --backup FILE [--start]`: the whole procedure for a service whose database was lost. */
export const recoverCommands: CommandModule = (program, action) => {
  program
    .command('recover')
    .description("restore a service's lost database from a backup and bring it back in line, unattended and safe to re-run: stop its connector, restore, repair CDC, reset its group to the positions in the restored inbox, pre-start repair, start it (--start) or wait for the operator to, wait for convergence, verify, report")
    .argument('<service>', 'the service whose database was lost')
    .requiredOption('--backup <file>', 'a custom-format dump of its database (ops backup, or pg_dump -Fc)')
    .option('--start', "start the service through the native stack's launcher (otherwise ops waits for the operator to start it)")
    .option('--margin <seconds>', 'partitions without an inbox row resume this long before the backup time', '120')
    .option('--wait-timeout <seconds>', 'how long to wait for the start and for convergence', '600')
    .option('--execute', 'do it (default: a dry run that prints the plan)')
    .option('--dry-run', 'print the plan only (the default)')
    .option('--reason <why>', 'why (written to the audit log; required with --execute)')
    .action(
      action(async (ctx, service: string, flags: RecoverFlags) => {
        const svc = ctx.service(service);
        if (!svc.group || !svc.connector) throw usageError(`${svc.name} has no consumer group or outbox connector: ops recover restores a saga service`, 'restore it with pg_restore');
        seconds(flags.margin, '--margin');
        seconds(flags.waitTimeout, '--wait-timeout');
        const tools = findPgTools(ctx.settings.profile);
        await ctx.withSuperuser('postgres', (c) => c.query('SELECT 1'));
        await ctx.kafka();
        const facts = await connectorFacts(ctx, svc);
        const backup = await readBackup(path.resolve(flags.backup), svc.database, tools, (work) => ctx.withSuperuser('postgres', work));
        const store = new RecoveryStore(ctx.settings.pgSuperuserUrl);
        const prior = await store.find(svc.name, backup.digest);
        if (prior?.status === 'done') {
          ctx.out.info(`${svc.name} was already recovered from this backup (finished ${prior.finished_at?.toISOString() ?? '?'}); nothing to do, nothing changed`);
          ctx.out.result({ alreadyDone: true, ...(prior.report as Record<string, unknown>) }, (r) => `already done\n${render(r)}`);
          return EXIT.ok;
        }
        if (!prior?.steps['started']) await assertStopped(ctx, svc, 'recover');
        const resumeAt = RECOVERY_STEPS.find((s) => !prior?.steps[s]);
        const plan = {
          summary:
            `recover ${svc.name} from ${backup.file} (taken ${backup.takenAt.toISOString()}, from its ${backup.timeSource}): ` +
            `${prior ? `resume an interrupted recovery at ${resumeAt}` : `DROP the database ${svc.database} and restore it`}, repair ${facts.connector}, reset group ${svc.group} to the positions in the restored inbox, ` +
            `${PRE_START_REPAIRS[svc.name] ? `${PRE_START_REPAIRS[svc.name]!.description}, ` : ''}${flags.start ? 'start it' : 'wait for you to start it'}, wait for convergence and verify`,
          detail: { service: svc.name, backup: { file: backup.file, sha256: backup.digest, takenAt: backup.takenAt, timeFrom: backup.timeSource }, steps: RECOVERY_STEPS, resumeAt: resumeAt ?? null, tools: tools.source },
        };
        const outcome = await ctx.dangerous('recover', flags, { service: svc.name, backup: backup.file, sha256: backup.digest, start: flags.start === true }, plan, () => runRecovery(ctx, svc, backup, facts, tools, flags, store));
        if (!outcome.executed) {
          ctx.out.result({ executed: false, plan: plan.detail }, () => plan.summary);
          return EXIT.ok;
        }
        ctx.out.result({ executed: true, auditId: outcome.auditId, ...outcome.result }, render);
        return EXIT.ok;
      }),
    );
};
