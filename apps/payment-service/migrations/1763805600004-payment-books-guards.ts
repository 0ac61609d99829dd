import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The guards the two money defects of issue 8 showed missing, in the database as well as the code:
 * every change of a payment is a new version with its own transition row; refunds never decrease
 * and never exceed what was captured, counting the ones in flight; a payment under review knows
 * what is underneath and which operation it waits for; a webhook is applied or ignored, with why.
 */
export class PaymentBooksGuards1763805600004 implements MigrationInterface {
  name = 'PaymentBooksGuards1763805600004';

  async up(queryRunner: QueryRunner): Promise<void> {
    // -- every change is a version, every version one transition row
    await queryRunner.query('ALTER TABLE payment_transition ADD COLUMN version integer');
    await queryRunner.query(`
      UPDATE payment_transition t SET version = n.rn
      FROM (SELECT id, row_number() OVER (PARTITION BY payment_id ORDER BY id) AS rn FROM payment_transition) n
      WHERE n.id = t.id`);
    await queryRunner.query('ALTER TABLE payment_transition ALTER COLUMN version SET NOT NULL');
    await queryRunner.query('ALTER TABLE payment_transition ADD COLUMN refunded_amount bigint, ADD COLUMN note text');
    await queryRunner.query('CREATE UNIQUE INDEX payment_transition_one_per_version ON payment_transition (payment_id, version)');

    await queryRunner.query(`
      CREATE FUNCTION payments_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.version <> OLD.version + 1 THEN
          RAISE EXCEPTION 'payment % changed from version % to %: every change is exactly one new version', OLD.id, OLD.version, NEW.version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_one_version_per_change';
        END IF;
        IF NEW.refunded_amount < OLD.refunded_amount THEN
          RAISE EXCEPTION 'payment % refunded amount would go down from % to %', OLD.id, OLD.refunded_amount, NEW.refunded_amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_refunds_never_decrease';
        END IF;
        IF NEW.amount <> OLD.amount OR NEW.currency <> OLD.currency OR NEW.order_id <> OLD.order_id THEN
          RAISE EXCEPTION 'payment % amount, currency and order are fixed at creation', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_terms_immutable';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query('CREATE TRIGGER payments_guard_update BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION payments_guard_update()');

    // -- refunds: several may be in flight at once (a person's and the saga's), never more than what is left
    await queryRunner.query('DROP INDEX payment_operation_one_open_per_type');
    await queryRunner.query(`
      CREATE UNIQUE INDEX payment_operation_one_open_per_type ON payment_operation (payment_id, type)
      WHERE status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN') AND type <> 'REFUND'`);
    await queryRunner.query(`
      CREATE FUNCTION payment_operation_refund_within_remainder() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        p payments%ROWTYPE;
        in_flight bigint;
      BEGIN
        IF NEW.type <> 'REFUND' OR NEW.status = 'FAILED' THEN RETURN NEW; END IF;
        SELECT * INTO p FROM payments WHERE id = NEW.payment_id FOR UPDATE;
        SELECT coalesce(sum(amount), 0) INTO in_flight FROM payment_operation
          WHERE payment_id = NEW.payment_id AND type = 'REFUND' AND status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN') AND id <> NEW.id;
        IF p.refunded_amount + in_flight + NEW.amount > p.amount THEN
          RAISE EXCEPTION 'refund of % on payment % exceeds what is left: % captured, % refunded, % in flight', NEW.amount, p.id, p.amount, p.refunded_amount, in_flight
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_operation_refund_within_remainder';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      'CREATE TRIGGER payment_operation_refund_within_remainder BEFORE INSERT ON payment_operation FOR EACH ROW EXECUTE FUNCTION payment_operation_refund_within_remainder()',
    );
    // one movement at the processor is one operation of ours: recorded twice, it would move the books twice
    await queryRunner.query(`
      CREATE UNIQUE INDEX payment_operation_processor_object_once ON payment_operation (processor_object_id)
      WHERE status = 'SUCCEEDED'`);
    // an operation a person recorded from the processor's own records was never sent by us: say so
    await queryRunner.query(`
      ALTER TABLE payment_operation ADD COLUMN origin text NOT NULL DEFAULT 'processor-call'
        CONSTRAINT payment_operation_origin_known CHECK (origin IN ('processor-call', 'operator-record'))`);

    // -- review: what is underneath, and the operation it waits for
    await queryRunner.query(`
      ALTER TABLE payments
        ADD COLUMN review_from_status text CONSTRAINT payments_review_from_known CHECK (review_from_status IN
          ('INITIATED', 'VALIDATED', 'AUTHORISED', 'CAPTURED', 'SETTLED', 'RECONCILED', 'FAILED', 'VOIDED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
        ADD COLUMN review_operation_id uuid`);
    await queryRunner.query(`
      UPDATE payments p SET
        review_from_status = (SELECT t.from_status FROM payment_transition t WHERE t.payment_id = p.id AND t.to_status = 'REQUIRES_REVIEW' AND t.from_status <> 'REQUIRES_REVIEW' ORDER BY t.id DESC LIMIT 1),
        review_operation_id = (SELECT o.id FROM payment_operation o WHERE o.payment_id = p.id AND o.status IN ('FAILED', 'UNKNOWN') ORDER BY o.updated_at DESC LIMIT 1),
        version = version + 1
      WHERE status = 'REQUIRES_REVIEW'`);
    await queryRunner.query(`
      INSERT INTO payment_transition (payment_id, from_status, to_status, cause_id, cause_type, at, version, refunded_amount)
      SELECT id, status, status, 'PaymentBooksGuards1763805600004', 'migration', now(), version, refunded_amount FROM payments WHERE status = 'REQUIRES_REVIEW'`);
    // after the backfill: a deferred constraint would leave trigger events pending that forbid the ALTERs below.
    // Deferred: a review that waits for a new operation names it in the same transaction that starts it.
    await queryRunner.query(`
      ALTER TABLE payments ADD CONSTRAINT payments_review_operation_fkey
        FOREIGN KEY (review_operation_id) REFERENCES payment_operation(id) DEFERRABLE INITIALLY DEFERRED`);
    await queryRunner.query(`
      ALTER TABLE payments ADD CONSTRAINT payments_review_exactly_while_in_review
        CHECK ((status = 'REQUIRES_REVIEW') = (review_from_status IS NOT NULL) AND (review_operation_id IS NULL OR status = 'REQUIRES_REVIEW'))`);

    // -- webhooks: applied, already settled, or ignored with a reason
    await queryRunner.query('ALTER TABLE processor_webhook ADD COLUMN ignored_reason text');
    // one that fails to apply is put back with a backoff, so it never blocks the ones behind it
    await queryRunner.query(`
      ALTER TABLE processor_webhook
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
        ADD COLUMN last_error text`);
    await queryRunner.query('DROP INDEX processor_webhook_unprocessed');
    await queryRunner.query('CREATE INDEX processor_webhook_unprocessed ON processor_webhook (next_attempt_at, received_at) WHERE processed_at IS NULL');
    await queryRunner.query(`
      UPDATE processor_webhook SET ignored_reason = CASE outcome WHEN 'unknown-operation' THEN 'unknown-operation' ELSE 'not-actionable' END, outcome = 'ignored'
      WHERE outcome IN ('unknown-operation', 'not-actionable')`);
    await queryRunner.query(`
      ALTER TABLE processor_webhook
        ADD CONSTRAINT processor_webhook_outcome_known CHECK (outcome IN ('applied', 'already-settled', 'ignored')),
        ADD CONSTRAINT processor_webhook_ignored_has_reason CHECK ((outcome = 'ignored') = (ignored_reason IS NOT NULL))`);
  }

  /** Fails while a payment has two refunds in flight (the old index forbids it): let them settle first. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE processor_webhook DROP CONSTRAINT processor_webhook_ignored_has_reason, DROP CONSTRAINT processor_webhook_outcome_known');
    await queryRunner.query("UPDATE processor_webhook SET outcome = 'not-actionable' WHERE outcome = 'ignored'");
    await queryRunner.query('DROP INDEX processor_webhook_unprocessed');
    await queryRunner.query('CREATE INDEX processor_webhook_unprocessed ON processor_webhook (received_at) WHERE processed_at IS NULL');
    await queryRunner.query('ALTER TABLE processor_webhook DROP COLUMN last_error, DROP COLUMN next_attempt_at, DROP COLUMN attempts, DROP COLUMN ignored_reason');
    await queryRunner.query('ALTER TABLE payments DROP CONSTRAINT payments_review_exactly_while_in_review, DROP CONSTRAINT payments_review_operation_fkey');
    await queryRunner.query('ALTER TABLE payments DROP COLUMN review_operation_id, DROP COLUMN review_from_status');
    await queryRunner.query('ALTER TABLE payment_operation DROP COLUMN origin');
    await queryRunner.query('DROP INDEX payment_operation_processor_object_once');
    await queryRunner.query('DROP TRIGGER payment_operation_refund_within_remainder ON payment_operation');
    await queryRunner.query('DROP FUNCTION payment_operation_refund_within_remainder()');
    await queryRunner.query('DROP INDEX payment_operation_one_open_per_type');
    await queryRunner.query(`
      CREATE UNIQUE INDEX payment_operation_one_open_per_type ON payment_operation (payment_id, type)
      WHERE status IN ('PENDING', 'IN_FLIGHT', 'UNKNOWN')`);
    await queryRunner.query('DROP TRIGGER payments_guard_update ON payments');
    await queryRunner.query('DROP FUNCTION payments_guard_update()');
    await queryRunner.query('DROP INDEX payment_transition_one_per_version');
    await queryRunner.query('ALTER TABLE payment_transition DROP COLUMN note, DROP COLUMN refunded_amount, DROP COLUMN version');
  }
}
