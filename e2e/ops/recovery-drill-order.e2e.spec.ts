// The recovery drill of order-service (issue 10, SPEC §9). order-service takes its orders over HTTP,
// and no topic replays those (ADR 0019, Consequences), so the drill places the orders the restored
// database must catch up on while payment-service is stopped, takes the backup, and only then lets
// the saga run: everything the backup misses is then event-driven (payment.events, fulfilment.events,
// ledger.events, notification.events). `ops recover` replays those four topics from the positions
// in the restored inbox, and every table must equal the never-broken twin row for row
// (support/drill.ts lists the columns allowed to differ).
import { Drill, expectConverged } from './support/drill';

jest.setTimeout(900_000);

describe('recovery drill: order-service restored by ops recover converges to its twin', () => {
  const d = new Drill();

  beforeAll(() => d.setUp());
  afterAll(() => d.tearDown(['order-service']));

  it('every table equals the twin; no email sent twice, no second charge, nothing applied twice downstream', async () => {
    const { before, after } = await d.run('order-service', { placedBeforeBackup: true });
    expectConverged(before, after);
    await d.expectRerunChangesNothing(before, after);
  });
});
