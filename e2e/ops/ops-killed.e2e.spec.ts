// `ops` killed at any point (issue 10): re-running the same command finishes the job without
// repeating an effect. The CLI runs as a real process and is SIGKILLed (its whole process group) at
// a step; the re-run must resume from what was recorded and converge exactly as an uninterrupted run.
import { queryAsSuperuser, runOps, startOps, testNemesis, waitForCaughtUp, type OpsProcess, type OpsRun } from '@paystate/testing';
import { CONSUMERS } from '../saga/support/saga';
import { databaseSnapshot, groupOffsets, quiescentSnapshot, topicEnds } from './support/snapshots';
import { Drill, explain, expectConverged, recoverArgs } from './support/drill';

jest.setTimeout(1_200_000);

interface RecoveryRow {
  status: string;
  steps: Record<string, unknown>;
}

/** The progress ops recover keeps in paystate_ops for this service and backup file. */
async function progress(service: string, file: string): Promise<RecoveryRow> {
  const rows = await queryAsSuperuser<RecoveryRow>('paystate_ops', 'SELECT status, steps FROM ops_recovery WHERE service = $1 AND backup_file = $2', [service, file]);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Starts the command and SIGKILLs it once its stderr shows `at`; resolves with its (killed) end. */
async function killAt(args: string[], at: RegExp): Promise<OpsRun> {
  const p: OpsProcess = startOps(args);
  await p.stderrMatches(at, 300_000);
  p.kill('SIGKILL');
  const run = await p.done;
  expect({ code: run.code, json: run.json }).toEqual({ code: 1, json: undefined }); // killed, no report printed
  return run;
}

describe('ops killed mid-operation: the re-run finishes the job without repeating an effect', () => {
  const d = new Drill();

  beforeAll(() => d.setUp());
  afterAll(() => d.tearDown(['ledger-service']));

  it('ops recover killed inside cdc-repaired, then again while it waits for convergence, converges on the third run', async () => {
    const service = 'ledger-service';
    const before = await d.backupThenTraffic(service);
    await d.lose(service);
    const args = recoverArgs(service, before.file);

    // 1: killed while it repairs CDC (the connector stopped, the slot dropped, the database restored)
    await killAt(args, /^cdc-repaired \.\.\.$/m);
    const first = await progress(service, before.file);
    expect(first.status).toBe('running');
    expect(Object.keys(first.steps).sort()).toEqual(['connector-stopped', 'database-restored', 'slot-dropped']);

    // 2: the re-run redoes the half-done step, starts the service and is killed while it replays
    await killAt(args, /^converged \.\.\.$/m);
    const second = await progress(service, before.file);
    expect(second.status).toBe('running');
    expect(Object.keys(second.steps).sort()).toEqual(['cdc-repaired', 'connector-stopped', 'database-restored', 'end-offsets-captured', 'offsets-reset', 'pre-start-repair', 'slot-dropped', 'started']);
    expect(second.steps['database-restored']).toEqual(first.steps['database-restored']); // not restored again

    // 3: the service is running (ops started it before it died); the re-run only waits and verifies
    const third = await runOps(args, { timeoutMs: 600_000 });
    if (third.code !== 0) throw new Error(`the third ops recover failed: ${explain(third)}`);
    const report = third.json as { steps: { step: string; run: string | null }[]; checks: { ok: boolean }[] };
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(Object.fromEntries(report.steps.map((s) => [s.step, s.run]))).toEqual({
      'connector-stopped': 'an earlier run',
      'slot-dropped': 'an earlier run',
      'database-restored': 'an earlier run',
      'cdc-repaired': 'an earlier run',
      'offsets-reset': 'an earlier run',
      'pre-start-repair': 'an earlier run',
      'end-offsets-captured': 'an earlier run',
      started: 'an earlier run',
      converged: 'this run',
      verified: 'this run',
    });
    expect((await progress(service, before.file)).status).toBe('done');

    const after = await d.after(service);
    expectConverged(before, after);
    await d.expectRerunChangesNothing(before, after);
  });

  it('ops replay --execute killed while it waits for catch-up: the re-run (the service running) does not reset again and reports the same replay', async () => {
    const group = 'ledger-service';
    const topics = CONSUMERS[group]!;
    const from = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    await d.placeMixed(5);
    // the ledger may run as the saga's process or, after the recovery above, as the stack launcher's
    await d.saga.stopService(group);
    const launched = testNemesis().service(group);
    if (launched.running()) await launched.terminate();

    const args = ['replay', '--group', group, '--to-time', from, '--execute', '--reason', 'e2e: ops killed while waiting', '--yes', '--no-input', '--timeout', 'PT10M'];
    const reset = await killAt(args, /waiting up to .* for the group to catch up/);
    expect(reset.stderr).toMatch(/offsets written and verified/);
    const [killed] = await queryAsSuperuser<{ id: string; outcome: string; progress: { offsetsWrittenAt?: string } | null }>('paystate_ops', `SELECT id, outcome, progress FROM ops_audit WHERE command = 'replay' ORDER BY started_at DESC LIMIT 1`);
    expect(killed).toMatchObject({ outcome: 'started', progress: { offsetsWrittenAt: expect.any(String) } });

    // the operator starts the service as the killed run asked; it re-reads the range (all duplicates)
    await d.saga.startService(group);
    await waitForCaughtUp(d.saga.brokers, group, topics);
    const offsets = await groupOffsets(d.saga.brokers, group, topics);
    const settled = await quiescentSnapshot(d.saga.brokers);

    // the re-run, with the group running: no refusal, no reset, the wait resumed and the report made
    const again = await runOps(args, { timeoutMs: 600_000 });
    if (again.code !== 0) throw new Error(`the re-run failed: ${explain(again)}`);
    const report = again.json as { resumes: string; resumedInterruptedRun: boolean; offsetsWritten: boolean; caughtUp: boolean; totals: { records: number; processed: number; deduplicated: number; deadLettered: number } };
    expect(report).toMatchObject({ resumes: killed!.id, resumedInterruptedRun: true, offsetsWritten: false, caughtUp: true });
    expect(report.totals.records).toBeGreaterThan(0);
    expect(report.totals.processed).toBe(0); // every replayed record had been applied: deduplicated
    expect(report.totals.deduplicated).toBeGreaterThan(0);
    expect(report.totals.deadLettered).toBe(0);
    expect(await groupOffsets(d.saga.brokers, group, topics)).toEqual(offsets); // not reset past what was processed
    expect(await databaseSnapshot()).toEqual(settled.db); // nothing applied again, in any service
    expect(await topicEnds(d.saga.brokers)).toEqual(settled.topics); // nothing emitted again

    // finished: the next replay of the group is a new one (refused here, since the group runs)
    const fresh = await runOps(args);
    expect(fresh.code).toBe(75);
  });
});
