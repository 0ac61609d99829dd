// The recovery drill (issue 10, "Proven by tests"): a service's database is lost after a backup and
// more traffic; `ops recover` restores it, and every table must equal its never-broken twin row for
// row, with no email sent twice, no second charge and no event applied twice downstream. The drill
// itself (and what is compared per table) is in support/drill.ts, shared with the drills of
// payment-service and order-service.
import { SagaService } from '../saga/support/saga';
import { Drill, expectConverged } from './support/drill';

jest.setTimeout(900_000);

describe('recovery drill: a lost service database restored by ops recover converges to its twin', () => {
  const d = new Drill();

  beforeAll(() => d.setUp());
  afterAll(() => d.tearDown(['ledger-service', 'fulfilment-service', 'notification-service']));

  async function drill(service: SagaService, opts: { refuseWhileRunning?: boolean } = {}): Promise<void> {
    const { before, after } = await d.run(service, opts);
    expectConverged(before, after);
    await d.expectRerunChangesNothing(before, after);
  }

  it('ledger-service (and recover refuses while it runs, changing nothing)', () => drill('ledger-service', { refuseWhileRunning: true }));
  it('fulfilment-service', () => drill('fulfilment-service'));
  it('notification-service: no email sent twice', () => drill('notification-service'));
});
