import { randomUUID } from 'node:crypto';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ownPaymentDatabase } from './support/own-database';

/**
 * The migration that adds issue 8's guards, run over data written before it (a payment under
 * review, partial refunds, webhooks with the old outcomes) on the real PostgreSQL: what it
 * backfills, and that its guards then refuse what the code must never do.
 */
let options: DataSourceOptions;
let dropDatabase: () => Promise<void>;
let db: DataSource;

async function migrate(only: (name: string) => boolean): Promise<void> {
  const migrations = (options.migrations as (new () => { name: string })[]).filter((m) => only(new m().name));
  const ds = await new DataSource({ ...options, migrations }).initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

const review = { payment: randomUUID(), order: randomUUID(), authorise: randomUUID(), void: randomUUID() };
const partly = { payment: randomUUID(), order: randomUUID(), refund: randomUUID() };
const at = new Date('2026-11-30T12:00:00Z');

beforeAll(async () => {
  ({ options, drop: dropDatabase } = await ownPaymentDatabase('migration'));
  await migrate((name) => !name.startsWith('PaymentBooksGuards'));
  db = await new DataSource({ ...options, migrations: [] }).initialize();
  const payment = (id: string, order: string, status: string, version: number, refunded: number) =>
    db.query(
      `INSERT INTO payments (id, order_id, status, amount, currency, payment_method, version, authorisation_id, capture_id, refunded_amount, created_at, updated_at)
       VALUES ($1, $2, $3, 10000, 'EUR', 'tok_visa_approve', $4, 'auth_1', $5, $6, $7, $7)`,
      [id, order, status, version, status === 'REQUIRES_REVIEW' ? null : 'cap_1', refunded, at],
    );
  const transition = (id: string, from: string | null, to: string) =>
    db.query('INSERT INTO payment_transition (payment_id, from_status, to_status, cause_id, cause_type, at) VALUES ($1, $2, $3, $4, $5, $6)', [id, from, to, randomUUID(), 'test', at]);
  const operation = (id: string, paymentId: string, type: string, status: string, amount: number) =>
    db.query(
      `INSERT INTO payment_operation (id, payment_id, type, status, reason, amount, next_attempt_at, deadline_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'TEST', $5, $6, $6, $6, $6)`,
      [id, paymentId, type, status, amount, at],
    );
  // a void that failed: AUTHORISED → REQUIRES_REVIEW, version 4
  await payment(review.payment, review.order, 'REQUIRES_REVIEW', 4, 0);
  for (const [from, to] of [[null, 'INITIATED'], ['INITIATED', 'VALIDATED'], ['VALIDATED', 'AUTHORISED'], ['AUTHORISED', 'REQUIRES_REVIEW']] as const) await transition(review.payment, from, to);
  await operation(review.authorise, review.payment, 'AUTHORISE', 'SUCCEEDED', 10000);
  await operation(review.void, review.payment, 'VOID', 'FAILED', 10000);
  // one partial refund recorded: version 5
  await payment(partly.payment, partly.order, 'PARTIALLY_REFUNDED', 5, 3000);
  for (const [from, to] of [[null, 'INITIATED'], ['INITIATED', 'VALIDATED'], ['VALIDATED', 'AUTHORISED'], ['AUTHORISED', 'CAPTURED'], ['CAPTURED', 'PARTIALLY_REFUNDED']] as const) await transition(partly.payment, from, to);
  await operation(partly.refund, partly.payment, 'REFUND', 'SUCCEEDED', 3000);
  for (const [id, outcome] of [['evt_a', 'not-actionable'], ['evt_b', 'unknown-operation'], ['evt_c', 'applied'], ['evt_d', null]] as const) {
    await db.query(`INSERT INTO processor_webhook (event_id, type, payload, received_at, processed_at, outcome) VALUES ($1, 'x.y', '{}', $2, $3, $4)`, [id, at, outcome ? at : null, outcome]);
  }
  await migrate(() => true);
});

afterAll(async () => {
  await db?.destroy();
  await dropDatabase?.();
});

describe('the payment books migration over existing data', () => {
  it('numbers every transition by version, and gives a payment under review what is underneath and the operation it waits for', async () => {
    const versions = await db.query<{ payment_id: string; version: number }[]>('SELECT payment_id, version FROM payment_transition ORDER BY payment_id, id');
    for (const id of [review.payment, partly.payment]) {
      const mine = versions.filter((v) => v.payment_id === id).map((v) => v.version);
      expect(mine).toEqual(mine.map((_, i) => i + 1));
    }
    const [p] = await db.query<{ version: number; review_from_status: string; review_operation_id: string }[]>('SELECT version, review_from_status, review_operation_id FROM payments WHERE id = $1', [review.payment]);
    expect(p).toEqual({ version: 5, review_from_status: 'AUTHORISED', review_operation_id: review.void });
    const [last] = await db.query<{ from_status: string; to_status: string; version: number; cause_type: string }[]>(
      'SELECT from_status, to_status, version, cause_type FROM payment_transition WHERE payment_id = $1 ORDER BY version DESC LIMIT 1',
      [review.payment],
    );
    expect(last).toEqual({ from_status: 'REQUIRES_REVIEW', to_status: 'REQUIRES_REVIEW', version: 5, cause_type: 'migration' });
    const [other] = await db.query<{ version: number; review_from_status: string | null }[]>('SELECT version, review_from_status FROM payments WHERE id = $1', [partly.payment]);
    expect(other).toEqual({ version: 5, review_from_status: null });
  });

  it('maps the old webhook outcomes to ignored with their reason', async () => {
    const rows = await db.query<{ event_id: string; outcome: string | null; ignored_reason: string | null }[]>('SELECT event_id, outcome, ignored_reason FROM processor_webhook ORDER BY event_id');
    expect(rows).toEqual([
      { event_id: 'evt_a', outcome: 'ignored', ignored_reason: 'not-actionable' },
      { event_id: 'evt_b', outcome: 'ignored', ignored_reason: 'unknown-operation' },
      { event_id: 'evt_c', outcome: 'applied', ignored_reason: null },
      { event_id: 'evt_d', outcome: null, ignored_reason: null },
    ]);
  });

  it('then refuses a refund beyond what is left (in flight included), a refund total going down, a version jump and a second transition for a version', async () => {
    const refund = (amount: number) =>
      db.query(
        `INSERT INTO payment_operation (id, payment_id, type, status, reason, amount, next_attempt_at, deadline_at, created_at, updated_at)
         VALUES ($1, $2, 'REFUND', 'PENDING', 'OPERATOR', $3, now(), now(), now(), now())`,
        [randomUUID(), partly.payment, amount],
      );
    await refund(4000); // 7000 left: fine, now 4000 in flight
    await expect(refund(3001)).rejects.toMatchObject({ driverError: { constraint: 'payment_operation_refund_within_remainder' } });
    await refund(3000); // exactly what is left
    await expect(db.query('UPDATE payments SET refunded_amount = 1000, version = version + 1 WHERE id = $1', [partly.payment])).rejects.toMatchObject({
      driverError: { constraint: 'payments_refunds_never_decrease' },
    });
    await expect(db.query('UPDATE payments SET version = version + 2 WHERE id = $1', [partly.payment])).rejects.toMatchObject({ driverError: { constraint: 'payments_one_version_per_change' } });
    await expect(db.query('UPDATE payments SET amount = 9000, version = version + 1 WHERE id = $1', [partly.payment])).rejects.toMatchObject({ driverError: { constraint: 'payments_terms_immutable' } });
    await expect(
      db.query(`INSERT INTO payment_transition (payment_id, from_status, to_status, version, cause_id, cause_type, at) VALUES ($1, 'X', 'Y', 5, 'c', 't', now())`, [partly.payment]),
    ).rejects.toMatchObject({ driverError: { constraint: 'payment_transition_one_per_version' } });
    // one movement at the processor is one operation of ours
    await db.query(`UPDATE payment_operation SET processor_object_id = 'ref_1' WHERE id = $1`, [partly.refund]);
    await expect(db.query(`UPDATE payment_operation SET processor_object_id = 'ref_1' WHERE id = $1`, [review.authorise])).rejects.toMatchObject({
      driverError: { constraint: 'payment_operation_processor_object_once' },
    });
    // a payment cannot be under review without saying what is underneath, nor carry a review outside it
    await expect(db.query(`UPDATE payments SET status = 'REQUIRES_REVIEW', version = version + 1 WHERE id = $1`, [partly.payment])).rejects.toMatchObject({
      driverError: { constraint: 'payments_review_exactly_while_in_review' },
    });
  });

  it('can be undone (once no payment has two refunds in flight, which the old rules forbid) and run again', async () => {
    const ds = await new DataSource(options).initialize();
    try {
      await ds.query(`UPDATE payment_operation SET status = 'FAILED' WHERE type = 'REFUND' AND status = 'PENDING'`);
      await ds.undoLastMigration({ transaction: 'each' });
      const columns = await ds.query<{ column_name: string }[]>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'payments' AND column_name LIKE 'review%'`);
      expect(columns).toEqual([]);
      expect(await ds.runMigrations({ transaction: 'each' })).toHaveLength(1);
    } finally {
      await ds.destroy();
    }
  });
});
