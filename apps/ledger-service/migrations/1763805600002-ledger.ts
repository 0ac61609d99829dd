import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry ledger. The invariants the code keeps are enforced here again, by name, so that
 * no bug, race or hand-written SQL can put unbalanced or rewritten books in the database:
 * - `journal_balanced`: sum of debits = sum of credits = the journal's amount, with at least one
 *   posting on each side (a constraint trigger deferred to COMMIT, so postings can be inserted one by one);
 * - `journal_one_currency`: a posting carries its journal's currency (composite foreign key);
 * - `journal_amount_positive`, `posting_amount_positive`;
 * - `journal_immutable`, `posting_immutable`: no UPDATE, DELETE or TRUNCATE (corrections are new journals);
 * - `journal_one_per_fact` (journal_key) and `journal_one_per_source_event`: one journal per triggering fact.
 */
export class Ledger1763805600002 implements MigrationInterface {
  name = 'Ledger1763805600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const accounts = `'processor_receivable', 'customer_clearing', 'merchant_payable', 'cash', 'fees'`;
    await queryRunner.query(`
      CREATE TABLE journal (
        id                uuid        PRIMARY KEY,
        -- insertion order, for stable listings when two journals share a posted_at
        position          bigint      GENERATED ALWAYS AS IDENTITY,
        journal_key       text        NOT NULL CONSTRAINT journal_one_per_fact UNIQUE,
        kind              text        NOT NULL CONSTRAINT journal_kind_known CHECK (kind IN ('CAPTURE', 'DISPATCH', 'REFUND_REVERSAL', 'SETTLEMENT')),
        order_id          uuid        NOT NULL,
        payment_id        uuid,
        currency          char(3)     NOT NULL CONSTRAINT journal_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
        amount            bigint      NOT NULL CONSTRAINT journal_amount_positive CHECK (amount > 0),
        source_event_id   uuid        NOT NULL CONSTRAINT journal_one_per_source_event UNIQUE,
        source_event_type text        NOT NULL,
        posted_at         timestamptz NOT NULL,
        -- the target of posting's composite key: a posting can only name its own journal's currency
        CONSTRAINT journal_id_currency UNIQUE (id, currency)
      )`);
    await queryRunner.query('CREATE INDEX journal_by_order ON journal (order_id, posted_at, position)');
    await queryRunner.query(`
      CREATE TABLE posting (
        id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        journal_id uuid    NOT NULL,
        currency   char(3) NOT NULL,
        account    text    NOT NULL CONSTRAINT posting_account_known CHECK (account IN (${accounts})),
        side       text    NOT NULL CONSTRAINT posting_side_known CHECK (side IN ('DEBIT', 'CREDIT')),
        amount     bigint  NOT NULL CONSTRAINT posting_amount_positive CHECK (amount > 0),
        CONSTRAINT journal_one_currency FOREIGN KEY (journal_id, currency) REFERENCES journal (id, currency)
      )`);
    await queryRunner.query('CREATE INDEX posting_by_journal ON posting (journal_id)');
    // balances are sums over postings (see README): this index serves the balance and trial-balance reads
    await queryRunner.query('CREATE INDEX posting_by_account ON posting (currency, account) INCLUDE (side, amount)');

    await queryRunner.query(`
      CREATE FUNCTION ledger_assert_balanced(jid uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        declared bigint;
        debits   numeric;
        credits  numeric;
        n_debit  integer;
        n_credit integer;
      BEGIN
        SELECT amount INTO declared FROM journal WHERE id = jid;
        SELECT coalesce(sum(amount) FILTER (WHERE side = 'DEBIT'), 0), coalesce(sum(amount) FILTER (WHERE side = 'CREDIT'), 0),
               count(*) FILTER (WHERE side = 'DEBIT'), count(*) FILTER (WHERE side = 'CREDIT')
          INTO debits, credits, n_debit, n_credit
          FROM posting WHERE journal_id = jid;
        IF n_debit = 0 OR n_credit = 0 OR debits <> credits OR debits <> declared THEN
          RAISE EXCEPTION 'journal % does not balance: debits %, credits %, journal amount %', jid, debits, credits, declared
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_balanced';
        END IF;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_check_posting_journal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ledger_assert_balanced(NEW.journal_id);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_check_new_journal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ledger_assert_balanced(NEW.id);
        RETURN NULL;
      END $$`);
    // checked at COMMIT, when every posting of the journal is in: a journal without postings fails too
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER journal_balanced AFTER INSERT ON journal
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_new_journal()`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER journal_balanced_postings AFTER INSERT ON posting
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_posting_journal()`);

    await queryRunner.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused (post a correcting journal instead)', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = TG_ARGV[0];
      END $$`);
    for (const table of ['journal', 'posting']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change('${table}_immutable')`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change('${table}_immutable')`);
    }

    // Facts that imply one the ledger has not seen yet (a refund or dispatch before its capture), kept
    // until the capture journal is posted; never dropped (SPEC §3.5).
    await queryRunner.query(`
      CREATE TABLE parked_fact (
        source_event_id      uuid        PRIMARY KEY,
        journal_key          text        NOT NULL CONSTRAINT parked_fact_one_per_fact UNIQUE,
        order_id             uuid        NOT NULL,
        fact                 jsonb       NOT NULL,
        status               text        NOT NULL CONSTRAINT parked_fact_status_known CHECK (status IN ('PARKED', 'RELEASED', 'DISCARDED', 'REJECTED')),
        parked_at            timestamptz NOT NULL,
        resolved_at          timestamptz,
        resolved_by_event_id uuid,
        CONSTRAINT parked_fact_resolution_complete CHECK ((status = 'PARKED') = (resolved_at IS NULL AND resolved_by_event_id IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX parked_fact_waiting ON parked_fact (order_id, parked_at) WHERE status = 'PARKED'`);

    // What became of every fact the ledger was told, with its cause: the audit trail of duplicates,
    // parkings and releases that leave no journal behind.
    await queryRunner.query(`
      CREATE TABLE fact_outcome (
        id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_event_id   uuid        NOT NULL,
        source_event_type text        NOT NULL,
        order_id          uuid        NOT NULL,
        journal_key       text        NOT NULL,
        outcome           text        NOT NULL CONSTRAINT fact_outcome_known CHECK (outcome IN ('POSTED', 'PARKED', 'RELEASED', 'DUPLICATE', 'NOTHING_TO_MOVE', 'REJECTED')),
        journal_id        uuid        REFERENCES journal (id),
        cause_event_id    uuid        NOT NULL,
        detail            text,
        at                timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX fact_outcome_by_order ON fact_outcome (order_id, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE fact_outcome');
    await queryRunner.query('DROP TABLE parked_fact');
    // the immutability triggers refuse TRUNCATE/DELETE, not DROP: rolling back the schema is a deliberate act
    await queryRunner.query('DROP TABLE posting');
    await queryRunner.query('DROP TABLE journal');
    await queryRunner.query('DROP FUNCTION ledger_refuse_change()');
    await queryRunner.query('DROP FUNCTION ledger_check_new_journal()');
    await queryRunner.query('DROP FUNCTION ledger_check_posting_journal()');
    await queryRunner.query('DROP FUNCTION ledger_assert_balanced(uuid)');
  }
}
