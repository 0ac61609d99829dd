// The recovery drill of payment-service (issue 10, SPEC §9): its database is lost after a backup and
// more traffic of every saga path; `ops recover` restores it and replays order.events and
// fulfilment.events from the positions in the restored inbox. The restored tables must equal the
// never-broken twin row for row (support/drill.ts lists the columns allowed to differ), and the
// operations the replay re-creates must be answered by the processor from its idempotency records:
// no second authorisation, capture, void or refund.
import { queryAsSuperuser } from '@paystate/testing';
import { AfterRecovery, BeforeLoss, Drill, expectConverged, tableDiff } from './support/drill';

jest.setTimeout(900_000);

/** The tables the saga's fulfilment facts move (capture, void, refund operations and their transitions). */
const MOVED_BY_FULFILMENT_FACTS = ['payments', 'payment_transition', 'payment_operation'];

describe('recovery drill: payment-service restored by ops recover converges to its twin', () => {
  const d = new Drill();
  let before: BeforeLoss;
  let after: AfterRecovery;

  beforeAll(async () => {
    await d.setUp();
    ({ before, after } = await d.run('payment-service'));
    for (const table of MOVED_BY_FULFILMENT_FACTS) {
      const diff = tableDiff(before, after, table);
      if (diff.onlyInTwin.length + diff.onlyRestored.length > 0) process.stderr.write(`[drill] payment-service ${table}: ${diff.onlyInTwin.length} row(s) only in the twin, ${diff.onlyRestored.length} only restored\n${JSON.stringify(diff, null, 1)}\n`);
    }
  });
  afterAll(() => d.tearDown(['payment-service']));

  it('the other tables equal the twin; no email sent twice, no second charge, nothing applied twice downstream; CDC streams', () => {
    expectConverged(before, after, { except: MOVED_BY_FULFILMENT_FACTS });
  });

  it('the processor authorised (or declined) each replayed order once and captured, voided and refunded nothing twice', async () => {
    for (const orderId of before.replayedOrders) {
      const counts = after.charges[orderId]!;
      expect({ orderId, counts }).toEqual({ orderId, counts: before.charges[orderId] });
      expect(counts.captures).toBeLessThanOrEqual(1);
      expect(counts.voids).toBeLessThanOrEqual(1);
      expect(counts.refunds).toBeLessThanOrEqual(1);
    }
    // the replayed authorisations went to the processor again with the same Idempotency-Key and were
    // answered from its records: the same authorisation ids (or decline codes) as in the twin
    const authorisations = (s: BeforeLoss['twin']): string[] => (s['payment_operation'] ?? []).filter((r) => (JSON.parse(r) as { type: string }).type === 'AUTHORISE');
    expect(authorisations(after.restored)).toEqual(authorisations(before.twin));
    const [open] = await queryAsSuperuser<{ n: string }>('paystate_payment', `SELECT count(*) AS n FROM payment_operation o JOIN payments p ON p.id = o.payment_id WHERE p.order_id = ANY($1::uuid[]) AND o.status NOT IN ('SUCCEEDED', 'FAILED')`, [before.replayedOrders]);
    expect(Number(open!.n)).toBe(0);
  });

  it('a re-run of the finished recovery changes nothing', () => d.expectRerunChangesNothing(before, after));

  it('payments, their transitions and operations equal the twin row for row', () => {
    for (const table of MOVED_BY_FULFILMENT_FACTS) expect({ table, rows: after.restored[table] }).toEqual({ table, rows: before.twin[table] });
  });
});
