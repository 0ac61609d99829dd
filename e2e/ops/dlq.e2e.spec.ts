import { randomUUID } from 'node:crypto';
import { failpointsEnv } from '@paystate/failpoints';
import { queryAsSuperuser, runOps, waitFor } from '@paystate/testing';
import { Saga, uniqueSku } from '../saga/support/saga';

/**
 * The DLQ proof (issue 10, ADR 0016) on the real stack, with the whole saga running: ledger-service
 * starts with a poison-message double (the failpoint `consumer.handle:<EventType>=throw` makes its
 * PaymentCaptured and ShipmentDispatched handlers fail every attempt), so one order leaves two
 * letters there. `ops dlq` lists and shows them, a redrive while the bug is still there fails again
 * (both errors kept), a redrive waits for a stopped service, "fixing the handler" (a restart without
 * the failpoint) lets the redrive apply both letters once and in order, and a second redrive is a
 * no-op. Every step goes through the real CLI as a process.
 */
// Each step runs the CLI as a process (tsx: ~15 s apiece on a loaded CI machine) and the suite starts six services.
jest.setTimeout(600_000);

// six services starting at once on a shared 2-core machine: the harness's default health deadline allows for it
const saga = new Saga();
const LEDGER_DB = 'paystate_ledger';
const FAST_REDRIVE = { DLQ_REDRIVE_INTERVAL_MS: '300' };
const POISONED = { ...FAST_REDRIVE, PAYSTATE_FAILPOINTS: failpointsEnv({ 'consumer.handle:PaymentCaptured': 'throw', 'consumer.handle:ShipmentDispatched': 'throw' }) };
const EXECUTE = ['--execute', '--reason', 'e2e: dlq proof', '--yes', '--no-input'];

interface LetterJson { id: string; service: string; type: string; order: string; status: string; createdAt: string; lastError: string }
interface OutcomeJson { letter: string; outcome: string; error: string | null }
interface LetterDb { id: string; status: string; errors: { error: string }[]; redrive_count: number; redriven_at: Date | null; event_id: string }

let orderId: string;
/** The order's two letters, in the order they were parked. */
let letters: LetterJson[];

const lettersInDb = async (): Promise<LetterDb[]> =>
  queryAsSuperuser<LetterDb>(LEDGER_DB, 'SELECT id, status, errors, redrive_count, redriven_at, event_id FROM dead_letter WHERE kafka_key = $1 ORDER BY created_at, topic, kafka_partition, kafka_offset', [orderId]);
const redriveRows = async () => queryAsSuperuser<{ dead_letter_id: string; outcome: string | null; error: string | null; requested_by: string }>(LEDGER_DB, 'SELECT r.* FROM dead_letter_redrive r JOIN dead_letter d ON d.id = r.dead_letter_id WHERE d.kafka_key = $1 ORDER BY r.requested_at', [orderId]);
/** What a second application would change: every table the ledger's handlers and the redrive write. */
const ledgerCounts = async () =>
  (await queryAsSuperuser(LEDGER_DB, `SELECT (SELECT count(*) FROM journal) AS journals, (SELECT count(*) FROM posting) AS postings, (SELECT count(*) FROM inbox) AS inbox,
      (SELECT count(*) FROM fact_outcome) AS outcomes, (SELECT count(*) FROM parked_fact) AS parked, (SELECT count(*) FROM dead_letter) AS letters`))[0];

beforeAll(async () => {
  await saga.start({ 'ledger-service': POISONED });
}, 900_000);

afterAll(async () => {
  await saga.stop();
});

it('a handler that fails every attempt parks the record: `ops dlq list --order` shows both letters, the ledger stalls while the order completes', async () => {
  const sku = uniqueSku('dlq');
  await saga.setStock(sku, 5);
  orderId = (await saga.placeOrder({ sku })).id;
  await saga.waitOrder(orderId, 'to complete', (o) => o.status === 'COMPLETED', 300_000);

  letters = await waitFor('both letters of the order', async () => {
    const run = await runOps(['dlq', 'list', '--order', orderId]);
    expect(run.code).toBe(0);
    const found = (run.json as { letters: LetterJson[] }).letters;
    return found.length === 2 ? found : undefined;
  }, { timeoutMs: 240_000, intervalMs: 1_000 });
  letters.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  expect(letters.map((l) => [l.service, l.status, l.order]).sort()).toEqual([['ledger-service', 'parked', orderId], ['ledger-service', 'parked', orderId]]);
  expect(letters.map((l) => l.type).sort()).toEqual(['PaymentCaptured', 'ShipmentDispatched']);
  expect(letters.every((l) => l.lastError.includes('consumer.handle'))).toBe(true);
  // the stall: no journal for the order
  expect(await saga.journals(orderId)).toEqual([]);

  const byType = await runOps(['dlq', 'list', '--service', 'ledger', '--type', 'PaymentCaptured', '--status', 'parked', '--since', new Date(Date.now() - 3_600_000).toISOString()]);
  expect(byType.code).toBe(0);
  expect((byType.json as { letters: LetterJson[] }).letters.map((l) => l.id)).toContain(letters.find((l) => l.type === 'PaymentCaptured')!.id);
});

it('`ops dlq show` gives the original record and the error with the payload masked; --show-payload prints it', async () => {
  const capture = letters.find((l) => l.type === 'PaymentCaptured')!;
  const masked = await runOps(['dlq', 'show', capture.id]);
  expect(masked.code).toBe(0);
  const view = masked.json as { record: { topic: string; key: string; headers: Record<string, string> }; payload: { shown: boolean; bytes: number; ids: Record<string, string> }; errors: { source: string; error: string }[]; redrives: unknown[] };
  expect(view.record).toMatchObject({ topic: 'payment.events', key: orderId, headers: { eventType: 'PaymentCaptured' } });
  expect(view.payload).toMatchObject({ shown: false, ids: { orderId } });
  expect(view.payload.bytes).toBeGreaterThan(0);
  // field names are shown, their values are not
  expect(view.payload).not.toHaveProperty('value');
  expect(masked.stdout).not.toMatch(/"amount":\s/);
  expect(view.errors).toHaveLength(1);
  expect(view.errors[0]).toMatchObject({ source: 'consumer' });
  expect(view.redrives).toEqual([]);

  const shown = await runOps(['dlq', 'show', capture.id, '--show-payload']);
  expect(shown.code).toBe(0);
  expect((shown.json as { payload: { shown: boolean; value: { orderId: string } } }).payload).toMatchObject({ shown: true, value: { orderId } });
});

it('bad input is a usage error (64) and changes nothing; a dry run prints the plan in order and changes nothing', async () => {
  const before = await lettersInDb();
  const unknown = randomUUID();
  for (const args of [
    ['dlq', 'show', unknown],
    ['dlq', 'show', 'not-a-letter'],
    ['dlq', 'redrive', unknown, ...EXECUTE],
    ['dlq', 'redrive', ...EXECUTE],
    ['dlq', 'redrive', '--order', randomUUID(), ...EXECUTE],
    ['dlq', 'list', '--since', '2026-01-01T00:00:00'],
    ['dlq', 'list', '--status', 'lost'],
    ['dlq', 'list', '--service', 'nope-service'],
    ['dlq', 'redrive', letters[0]!.id, '--execute', '--yes', '--no-input'],
  ]) {
    const run = await runOps(args);
    expect([args.join(' '), run.code]).toEqual([args.join(' '), 64]);
  }

  const dry = await runOps(['dlq', 'redrive', '--order', orderId]);
  expect(dry.code).toBe(0);
  expect(dry.json).toMatchObject({ executed: false, plan: letters.map((l) => ({ id: l.id, status: 'parked' })) });
  expect(await lettersInDb()).toEqual(before);
  expect(await redriveRows()).toEqual([]);
});

it('a redrive while the handler is still broken fails again: the first letter stays parked with both errors, the later one of the order is not attempted (exit 1)', async () => {
  const run = await runOps(['dlq', 'redrive', '--order', orderId, ...EXECUTE, '--timeout', '180']);
  expect(run.code).toBe(1);
  const outcomes = (run.json as { outcomes: OutcomeJson[] }).outcomes;
  expect(outcomes.map((o) => [o.letter, o.outcome])).toEqual(letters.map((l) => [l.id, 'failed-again']));
  expect(outcomes[0]!.error).toContain('consumer.handle');
  expect(outcomes[1]!.error).toContain('not attempted: an earlier letter of key');

  const [first, second] = await lettersInDb();
  expect(first).toMatchObject({ status: 'parked', redrive_count: 1 });
  expect(first!.errors).toHaveLength(1);
  expect(second).toMatchObject({ status: 'parked', redrive_count: 0, errors: [] });
  const shown = (await runOps(['dlq', 'show', letters[0]!.id])).json as { errors: { source: string }[]; redrives: { outcome: string; requestedBy: string }[] };
  expect(shown.errors.map((e) => e.source)).toEqual(['consumer', 'redrive']);
  expect(shown.redrives).toMatchObject([{ outcome: 'failed-again', requestedBy: 'e2e-test' }]);
  expect(await saga.journals(orderId)).toEqual([]);
});

it('a redrive for a service that is not running waits for it: exit 1 after the timeout, the request stays', async () => {
  await saga.stopService('ledger-service');
  const run = await runOps(['dlq', 'redrive', letters[0]!.id, ...EXECUTE, '--timeout', '3']);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('ledger-service is not running');
  expect((run.json as { outcomes: OutcomeJson[] }).outcomes).toMatchObject([{ letter: letters[0]!.id, outcome: 'pending' }]);
  expect((await lettersInDb())[0]).toMatchObject({ status: 'redrive-requested' });
});

it('with the handler fixed (restarted without the failpoint), the redrive applies both letters once, in the order they were parked; the books complete', async () => {
  const pending = runOps(['dlq', 'redrive', '--order', orderId, ...EXECUTE, '--timeout', '300']);
  // the requests are written before the service (and its worker) comes back
  await waitFor('the second letter requested', async () => ((await lettersInDb())[1]!.status === 'redrive-requested' ? true : undefined), { timeoutMs: 240_000, intervalMs: 200 });
  await saga.startService('ledger-service', FAST_REDRIVE);
  const run = await pending;
  expect(run.code).toBe(0);
  expect((run.json as { outcomes: OutcomeJson[] }).outcomes.map((o) => [o.letter, o.outcome])).toEqual(letters.map((l) => [l.id, 'applied']));

  const [first, second] = await lettersInDb();
  expect([first!.status, second!.status]).toEqual(['redriven', 'redriven']);
  expect(first!.redriven_at!.getTime()).toBeLessThanOrEqual(second!.redriven_at!.getTime());
  const inbox = await queryAsSuperuser<{ outcome: string }>(LEDGER_DB, 'SELECT outcome FROM inbox WHERE event_id = ANY($1::uuid[])', [[first!.event_id, second!.event_id]]);
  expect(inbox.map((r) => r.outcome)).toEqual(['processed', 'processed']);
  // every request of the first letter (the one that waited, and this one) ended applied
  expect((await redriveRows()).filter((r) => r.dead_letter_id === letters[0]!.id).map((r) => r.outcome)).toEqual(['failed-again', 'applied', 'applied']);

  const journals = await saga.journals(orderId);
  expect(journals.map((j) => j.kind).sort()).toEqual(['CAPTURE', 'DISPATCH']);
  expect((await saga.ledgerOf(orderId)).parked.filter((p) => p.status === 'PARKED')).toEqual([]);
  expect((await saga.trialBalance()).currencies.every((c) => c.balanced)).toBe(true);
  // the ledger's LedgerEntryPosted reached the order's timeline: the saga goes on past the letters
  await waitFor('the ledger facts on the timeline', async () => ((await saga.timeline(orderId)).filter((e) => e.type === 'LedgerEntryPosted').length === 2 ? true : undefined), { timeoutMs: 180_000 });
});

it('redriving a letter again is a no-op: already-handled (exit 0), no row changes anywhere in the ledger', async () => {
  const before = await ledgerCounts();
  const lettersBefore = await lettersInDb();
  const run = await runOps(['dlq', 'redrive', letters[0]!.id, letters[1]!.id, ...EXECUTE]);
  expect(run.code).toBe(0);
  expect((run.json as { outcomes: OutcomeJson[] }).outcomes.map((o) => o.outcome)).toEqual(['already-handled', 'already-handled']);
  // give the worker a few ticks: nothing is requested, so nothing may change
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await ledgerCounts()).toEqual(before);
  expect(await lettersInDb()).toEqual(lettersBefore);
  expect((await saga.journals(orderId)).map((j) => j.kind).sort()).toEqual(['CAPTURE', 'DISPATCH']);

  const audit = await runOps(['audit', '--limit', '10']);
  expect(audit.code).toBe(0);
  expect(audit.stdout).toContain('dlq redrive');
});
