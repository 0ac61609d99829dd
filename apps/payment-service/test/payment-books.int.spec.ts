import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { DataSource, EntityManager } from 'typeorm';
import type { OperationType, ReviewResolution } from '../src/domain/payment';
import type { PaymentOperations } from '../src/application/operations/payment-operations';
import type { ResolveReviewUseCase } from '../src/application/review/resolve-review';
import { FactBeforeItsCause } from '../src/application/saga/saga-steps';
import type { ProcessorWebhook, ProcessorWebhooks } from '../src/application/webhooks/processor-webhooks';
import { PaymentServiceUnderTest, consume, orderPlaced, paymentServiceUnderTest } from './support/payment-service';

/**
 * A model-based property test of the payment decider *and its persistence* on the real PostgreSQL
 * (a database of its own, migrated like the service's): random sequences of saga facts, operator
 * refunds and processor reports — our own call's answer, webhooks duplicated and re-sent, answers
 * lost, and signed reports of the wrong type, amount, currency or payment naming real operations —
 * are run through the service's own use cases. The test plays the processor with a small model of
 * what it has moved, and after every step checks the books against it:
 *   - the payment's refunded amount is exactly what the processor refunded and told us about;
 *   - nothing moves without its own operation's outcome (ids, statuses and operations agree with
 *     what the processor did for that operation);
 *   - no refund beyond what was captured is ever sent;
 * and, once every lost answer is delivered, that our amounts equal the processor's.
 */

let service: PaymentServiceUnderTest;
let dataSource: DataSource;
let operations: PaymentOperations;
let webhooks: ProcessorWebhooks;
let review: ResolveReviewUseCase;

beforeAll(async () => {
  service = await paymentServiceUnderTest('books');
  ({ dataSource, operations, webhooks, review } = service);
});

afterAll(async () => {
  if (process.env['PAYSTATE_PROPERTY_STATS']) {
    console.log(await dataSource.query(`SELECT status, count(*) FROM payments GROUP BY 1 ORDER BY 2 DESC`));
    console.log(await dataSource.query(`SELECT from_status, to_status, cause_type, count(*) FROM payment_transition GROUP BY 1,2,3 ORDER BY 4 DESC`));
    console.log(await dataSource.query(`SELECT outcome, ignored_reason, count(*) FROM processor_webhook GROUP BY 1,2 ORDER BY 3 DESC`));
  }
  await service?.close();
});

// ---- the service's entry points, as the consumer, the API and the webhook worker call them


function operatorRefund(paymentId: string, amount: number | undefined): Promise<unknown> {
  return dataSource.transaction((manager) => service.refunds.startRefund(manager, paymentId, amount, { id: randomUUID(), type: 'operator-refund' }, new Date()));
}

async function deliverWebhook(webhook: ProcessorWebhook): Promise<void> {
  await webhooks.receive(webhook, new Date());
  await webhooks.applyPending();
  const [stored] = await dataSource.query<{ processed_at: Date | null; last_error: string | null }[]>('SELECT processed_at, last_error FROM processor_webhook WHERE event_id = $1', [webhook.id]);
  // a webhook that cannot be applied is a bug here: every report is applied or ignored
  if (!stored?.processed_at) throw new Error(`webhook ${webhook.id} (${webhook.type}) could not be applied: ${stored?.last_error ?? 'not stored'}`);
}

const respond = (operationId: string, outcome: Executed) =>
  dataSource.transaction((manager: EntityManager) =>
    operations.recordOutcome(manager, operationId, outcome.result === 'succeeded' ? { result: 'succeeded', objectId: outcome.objectId } : { result: 'failed', code: outcome.code, detail: outcome.code }, { id: operationId, type: 'processor-response' }, new Date()),
  );

// ---- the processor, as a model of what it has moved

type Executed = { result: 'succeeded'; objectId: string } | { result: 'failed'; objectId: string; code: string };
interface OperationRow { id: string; type: OperationType; status: string; amount: number; processorObjectId: string | null }
interface PaymentRow { id: string; status: string; amount: number; refundedAmount: number; authorisationId: string | null; captureId: string | null; version: number }

class ProcessorModel {
  readonly executed = new Map<string, Executed & { type: OperationType; amount: number }>();
  /** Operations whose real outcome has reached the service at least once. */
  readonly told = new Set<string>();
  authorisation: string | null = null;
  capture: string | null = null;
  captured = 0;
  voided = false;
  refunded = 0;
  readonly violations: string[] = [];
  private n = 0;
  /** A processor's object ids are unique across payments: so are these, across runs. */
  private readonly run = randomUUID().slice(0, 8);

  /** Executes an operation the way a processor does: once per idempotency key, by its own rules. */
  execute(op: OperationRow, fail: boolean): Executed {
    const known = this.executed.get(op.id);
    if (known) return known;
    const id = (prefix: string) => `${prefix}_${this.run}_${++this.n}`;
    let outcome: Executed;
    switch (op.type) {
      case 'AUTHORISE':
        outcome = fail || this.authorisation ? { result: 'failed', objectId: id('auth'), code: 'card_declined' } : { result: 'succeeded', objectId: (this.authorisation = id('auth')) };
        break;
      case 'CAPTURE':
        outcome =
          fail || !this.authorisation || this.voided || this.capture
            ? { result: 'failed', objectId: id('cap'), code: 'capture_failed' }
            : { result: 'succeeded', objectId: (this.capture = id('cap')) };
        if (outcome.result === 'succeeded') this.captured = op.amount;
        break;
      case 'VOID':
        outcome = fail || !this.authorisation || this.voided || this.capture ? { result: 'failed', objectId: id('void'), code: 'void_failed' } : { result: 'succeeded', objectId: id('void') };
        if (outcome.result === 'succeeded') this.voided = true;
        break;
      case 'REFUND':
        if (op.amount > this.captured - this.refunded) {
          this.violations.push(`a refund of ${op.amount} was sent with only ${this.captured - this.refunded} left to refund at the processor`);
          outcome = { result: 'failed', objectId: id('ref'), code: 'amount_too_large' };
        } else if (fail) {
          outcome = { result: 'failed', objectId: id('ref'), code: 'refund_failed' };
        } else {
          outcome = { result: 'succeeded', objectId: id('ref') };
          this.refunded += op.amount;
        }
        break;
    }
    this.executed.set(op.id, { ...outcome, type: op.type, amount: op.amount });
    return outcome;
  }

  /** The processor has no trace of an operation it never received: to a person, that is a failure. */
  neverReceived(op: OperationRow): Executed {
    const outcome: Executed = { result: 'failed', objectId: `none_${this.run}_${++this.n}`, code: 'not_found_at_processor' };
    this.executed.set(op.id, { ...outcome, type: op.type, amount: op.amount });
    return outcome;
  }

  /** A movement a person made by hand at the processor, recorded as an operation of ours. */
  adopt(operationId: string, objectId: string): void {
    const manual = [...this.executed].find(([, e]) => e.result === 'succeeded' && e.objectId === objectId);
    if (!manual) throw new Error(`no movement ${objectId} at the processor`);
    this.executed.delete(manual[0]);
    this.executed.set(operationId, manual[1]);
    this.told.add(operationId);
  }

  /** What the service must have on its books: the refunds the processor made and told it about. */
  refundedAndTold(): number {
    let sum = 0;
    for (const [id, e] of this.executed) if (e.type === 'REFUND' && e.result === 'succeeded' && this.told.has(id)) sum += e.amount;
    return sum;
  }
}

const WEBHOOK_TYPE: Record<OperationType, { succeeded: string; failed: string }> = {
  AUTHORISE: { succeeded: 'authorisation.succeeded', failed: 'authorisation.declined' },
  CAPTURE: { succeeded: 'capture.succeeded', failed: 'capture.failed' },
  VOID: { succeeded: 'void.succeeded', failed: 'void.failed' },
  REFUND: { succeeded: 'refund.succeeded', failed: 'refund.failed' },
};
const OTHER_TYPES = ['payout.succeeded', 'payout.failed', 'dispute.created', 'charge.failed', 'authorisation.expired', 'refund.updated'];
const ALL_TYPES = [...Object.values(WEBHOOK_TYPE).flatMap((t) => [t.succeeded, t.failed]), ...OTHER_TYPES];

// ---- the steps

type Step =
  | { kind: 'saga'; fact: 'StockReserved' | 'StockReservationFailed' | 'ShipmentFailed' }
  | { kind: 'refund'; amount: number | undefined }
  | { kind: 'process'; pick: number; fail: boolean; delivery: 'response' | 'webhook' | 'lost'; late: boolean }
  | { kind: 'redeliver'; pick: number; sameId: boolean }
  | { kind: 'forge'; pick: number; type: string; tamper: 'none' | 'amount' | 'currency' | 'reference' | 'object' }
  | { kind: 'deadline'; pick: number }
  | { kind: 'resolve'; action: 'retry' | 'record' };

/** Most calls succeed; enough fail to reach every compensation and every review. */
const rarely = fc.integer({ min: 0, max: 7 }).map((n) => n === 0);

const stepArb = (amount: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('saga' as const),
        fact: fc.oneof({ weight: 4, arbitrary: fc.constant('StockReserved' as const) }, fc.constant('StockReservationFailed' as const), fc.constant('ShipmentFailed' as const)),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund' as const), amount: fc.option(fc.integer({ min: 1, max: amount + 500 }), { nil: undefined }) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('process' as const), pick: fc.nat(), fail: rarely, delivery: fc.constantFrom('response' as const, 'webhook' as const, 'lost' as const), late: rarely }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat(), sameId: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('deadline' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('resolve' as const), action: fc.constantFrom('retry' as const, 'record' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('forge' as const), pick: fc.nat(), type: fc.constantFrom(...ALL_TYPES), tamper: fc.constantFrom('none' as const, 'amount' as const, 'currency' as const, 'reference' as const, 'object' as const) }) },
  );

async function paymentRow(orderId: string): Promise<PaymentRow> {
  const [row] = await dataSource.query<PaymentRow[]>(
    `SELECT id, status, amount::int, refunded_amount::int AS "refundedAmount", authorisation_id AS "authorisationId", capture_id AS "captureId", version FROM payments WHERE order_id = $1`,
    [orderId],
  );
  return row!;
}

const operationRows = (paymentId: string) =>
  dataSource.query<OperationRow[]>(`SELECT id, type, status, amount::int, processor_object_id AS "processorObjectId" FROM payment_operation WHERE payment_id = $1 ORDER BY created_at, id`, [paymentId]);

async function checkBooks(orderId: string, processor: ProcessorModel, where: string): Promise<void> {
  const p = await paymentRow(orderId);
  const ops = await operationRows(p.id);
  const fail = (what: string) => {
    throw new Error(`${where}: ${what}\npayment ${JSON.stringify(p)}\noperations ${JSON.stringify(ops)}\nprocessor ${JSON.stringify({ ...processor, executed: [...processor.executed] })}`);
  };
  if (processor.violations.length > 0) fail(processor.violations.join('; '));
  if (p.refundedAmount !== processor.refundedAndTold()) fail(`refunded ${p.refundedAmount} on our books, the processor refunded ${processor.refundedAndTold()} and told us`);
  if (p.refundedAmount > processor.captured) fail('more refunded than captured');
  if (p.authorisationId !== null && p.authorisationId !== processor.authorisation) fail(`authorisation ${p.authorisationId} is not the processor's (${processor.authorisation})`);
  if (p.captureId !== null && p.captureId !== processor.capture) fail(`capture ${p.captureId} is not the processor's (${processor.capture})`);
  for (const op of ops) {
    const done = processor.executed.get(op.id);
    if (op.status === 'SUCCEEDED' && (done?.result !== 'succeeded' || op.processorObjectId !== done.objectId)) fail(`operation ${op.id} (${op.type}) SUCCEEDED without the processor's success`);
    if (op.status === 'FAILED' && done?.result !== 'failed') fail(`operation ${op.id} (${op.type}) FAILED without the processor's failure`);
  }
  const moved: Record<string, boolean> = {
    AUTHORISED: processor.authorisation !== null,
    CAPTURED: processor.capture !== null,
    PARTIALLY_REFUNDED: processor.capture !== null && processor.refunded > 0,
    REFUNDED: processor.capture !== null && processor.refunded === processor.captured,
    VOIDED: processor.voided,
  };
  if (p.status in moved && !moved[p.status]) fail(`${p.status} without the processor having moved the money`);
  const nonFailedRefunds = ops.filter((o) => o.type === 'REFUND' && o.status !== 'FAILED').reduce((s, o) => s + o.amount, 0);
  if (nonFailedRefunds > p.amount) fail(`refund operations of ${nonFailedRefunds} started against a payment of ${p.amount}`);
}

/** A person resolves the review with what the processor's own records show (or does the movement there by hand). */
async function resolveAsAPerson(payment: PaymentRow, action: 'retry' | 'record', processor: ProcessorModel): Promise<void> {
  const resolve = (resolution: ReviewResolution) => dataSource.transaction((manager) => review.resolve(manager, payment.id, resolution, { id: randomUUID(), type: 'operator-review', note: 'test' }, new Date()));
  if (action === 'retry') {
    await resolve({ action: 'retry' });
    return;
  }
  const [under] = await dataSource.query<OperationRow[]>(
    `SELECT o.id, o.type, o.status, o.amount::int, o.processor_object_id AS "processorObjectId" FROM payments p JOIN payment_operation o ON o.id = p.review_operation_id WHERE p.id = $1`,
    [payment.id],
  );
  if (!under) {
    // nothing under review: refused, and nothing changes
    await resolve({ action: 'record-outcome', outcome: { result: 'failed', code: 'x', detail: 'x' } });
    return;
  }
  if (under.status !== 'FAILED') {
    // its outcome is unknown to us: the processor shows what it did, or that it never received it
    const seen = processor.executed.get(under.id) ?? processor.neverReceived(under);
    await resolve({ action: 'record-outcome', outcome: seen.result === 'succeeded' ? { result: 'succeeded', objectId: seen.objectId } : { result: 'failed', code: seen.code, detail: seen.code } });
    processor.told.add(under.id);
    return;
  }
  // it failed: the person does it by hand at the processor and records the success, if there is one
  const manual = processor.execute({ ...under, id: `manual-${randomUUID()}` }, false);
  if (manual.result !== 'succeeded') return;
  await resolve({ action: 'record-outcome', outcome: { result: 'succeeded', objectId: manual.objectId } });
  const [recorded] = await dataSource.query<{ id: string }[]>(`SELECT id FROM payment_operation WHERE payment_id = $1 AND processor_object_id = $2 AND origin = 'operator-record'`, [payment.id, manual.objectId]);
  if (!recorded) throw new Error(`the success ${manual.objectId} a person recorded is not an operation of the payment`);
  processor.adopt(recorded.id, manual.objectId);
}

function realWebhook(op: OperationRow, payment: PaymentRow, outcome: Executed, processor: ProcessorModel): ProcessorWebhook {
  return {
    id: `evt_${randomUUID()}`,
    type: WEBHOOK_TYPE[op.type][outcome.result],
    created: Math.floor(Date.now() / 1000),
    data: {
      operationId: op.id,
      reference: payment.id,
      objectId: outcome.objectId,
      ...(processor.authorisation ? { authorisationId: processor.authorisation } : {}),
      amount: op.amount,
      currency: 'EUR',
      ...(outcome.result === 'failed' ? { declineCode: outcome.code } : {}),
    },
  };
}

async function run(amount: number, steps: Step[]): Promise<void> {
  const orderId = randomUUID();
  const processor = new ProcessorModel();
  const sent: ProcessorWebhook[] = [];
  await consume(dataSource, 'OrderPlaced', orderPlaced(orderId, amount), (e, ctx) => service.initiate.handle(e, ctx));
  await checkBooks(orderId, processor, 'after OrderPlaced');

  const tell = async (op: OperationRow, payment: PaymentRow, outcome: Executed, delivery: 'response' | 'webhook') => {
    if (delivery === 'response') await respond(op.id, outcome);
    else {
      const webhook = realWebhook(op, payment, outcome, processor);
      sent.push(webhook);
      await deliverWebhook(webhook);
    }
    processor.told.add(op.id);
  };

  // A saga fact read before the outcome of the operation that caused it (FactBeforeItsCause, saga-steps.ts)
  // is rolled back and retried by the consumer; here it waits for the next step, as a retry would.
  type SagaFact = Extract<Step, { kind: 'saga' }>['fact'];
  const early: SagaFact[] = [];
  const sagaFact = async (fact: SagaFact): Promise<void> => {
    const { saga } = service;
    try {
      await consume(dataSource, fact, { orderId }, (e, ctx) =>
        fact === 'StockReserved' ? saga.captureOnStockReserved(e, ctx) : fact === 'StockReservationFailed' ? saga.voidOnStockReservationFailed(e, ctx) : saga.refundOnShipmentFailed(e, ctx),
      );
    } catch (error) {
      if (!(error instanceof FactBeforeItsCause)) throw error;
      early.push(fact);
    }
  };
  const retryEarly = async (): Promise<void> => {
    for (const fact of early.splice(0)) await sagaFact(fact);
  };

  for (const [i, step] of steps.entries()) {
    await retryEarly();
    const payment = await paymentRow(orderId);
    const ops = await operationRows(payment.id);
    const open = ops.filter((o) => !['SUCCEEDED', 'FAILED'].includes(o.status));
    // the processor mostly works on what is open; now and then it answers about something settled (a late duplicate)
    const pool = step.kind === 'process' && !step.late && open.length > 0 ? open : ops;
    const op = pool.length > 0 ? pool[('pick' in step ? step.pick : 0) % pool.length]! : undefined;
    switch (step.kind) {
      case 'saga':
        await sagaFact(step.fact);
        break;
      case 'refund':
        await operatorRefund(payment.id, step.amount);
        break;
      case 'process': {
        if (!op) break;
        // a settled operation is asked again: the processor replays what it did (a late duplicate)
        const outcome = processor.execute(op, step.fail);
        if (step.delivery !== 'lost') await tell(op, payment, outcome, step.delivery);
        break;
      }
      case 'redeliver': {
        const past = sent[step.pick % Math.max(1, sent.length)];
        if (past) await deliverWebhook(step.sameId ? past : { ...past, id: `evt_${randomUUID()}` });
        break;
      }
      case 'forge': {
        if (!op) break;
        const rightType = step.type === WEBHOOK_TYPE[op.type].succeeded || step.type === WEBHOOK_TYPE[op.type].failed;
        const failure = step.type === WEBHOOK_TYPE[op.type].failed;
        // a decline names the authorisation it declined, which we never knew: nothing to check it against
        const indistinguishable = rightType && (step.tamper === 'none' || (step.tamper === 'object' && op.type === 'AUTHORISE' && failure));
        if (indistinguishable) {
          // indistinguishable from the processor's own report: deliver the real one instead
          await tell(op, payment, processor.execute(op, failure), 'webhook');
          break;
        }
        const tampered = {
          reference: step.tamper === 'reference' ? randomUUID() : payment.id,
          amount: step.tamper === 'amount' ? op.amount + 1 : op.amount,
          currency: step.tamper === 'currency' ? 'USD' : 'EUR',
          authorisationId: step.tamper === 'object' ? 'auth_forged' : (processor.authorisation ?? undefined),
        };
        await deliverWebhook({
          id: `evt_${randomUUID()}`,
          type: step.type,
          created: Math.floor(Date.now() / 1000),
          data: { operationId: op.id, objectId: `po_${randomUUID().slice(0, 8)}`, declineCode: 'forged', ...tampered },
        });
        break;
      }
      case 'deadline':
        // the resolver gives up on an operation whose outcome stayed unknown (the processor may have done it)
        if (op && !['SUCCEEDED', 'FAILED'].includes(op.status)) {
          await dataSource.transaction((manager) => operations.giveUp(manager, op.id, 'deadline passed (test)', { id: op.id, type: 'processor-response' }, new Date()));
        }
        break;
      case 'resolve':
        await resolveAsAPerson(payment, step.action, processor);
        break;
    }
    await checkBooks(orderId, processor, `after step ${i} ${JSON.stringify(step)}`);
  }

  // every answer the processor still owes us arrives, and every operation left open is carried out
  for (let round = 0; round < 10; round++) {
    await retryEarly();
    const payment = await paymentRow(orderId);
    const open = (await operationRows(payment.id)).filter((o) => !['SUCCEEDED', 'FAILED'].includes(o.status) || (processor.executed.has(o.id) && !processor.told.has(o.id)));
    if (open.length === 0) break;
    for (const op of open) await tell(op, payment, processor.execute(op, false), 'response');
  }
  await checkBooks(orderId, processor, 'after every answer arrived');
  const final = await paymentRow(orderId);
  if (final.refundedAmount !== processor.refunded) throw new Error(`in the end we record ${final.refundedAmount} refunded, the processor refunded ${processor.refunded}`);
}

const answered = (pick: number): Step => ({ kind: 'process', pick, fail: false, delivery: 'response', late: true });

const CAPTURED: Step[] = [answered(0), { kind: 'saga', fact: 'StockReserved' }, answered(1)];

/** The two money defects found by hand (issue 8), kept as examples the property always runs first. */
const FOUND_BY_HAND: [number, Step[]][] = [
  // a second partial refund must move the books again, and a refund beyond what is left is refused before the processor
  [10_000, [answered(0), { kind: 'saga', fact: 'StockReserved' }, answered(1), { kind: 'refund', amount: 3000 }, answered(2), { kind: 'refund', amount: 3000 }, answered(3), { kind: 'refund', amount: 7000 }, answered(4)]],
  // a signed webhook of an unrelated type naming an authorisation in flight must change nothing
  [10_000, [{ kind: 'forge', pick: 0, type: 'payout.succeeded', tamper: 'none' }, { kind: 'forge', pick: 0, type: 'capture.failed', tamper: 'none' }]],
];

describe('the payment books against a model of the processor', () => {
  // thousands of steps: the service's own log lines would drown a failure's report
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'warn', 'error']);
  });

  it('hold after every step of random saga facts, refunds and processor reports (duplicated, lost, forged)', async () => {
    const seed = process.env['PAYSTATE_PROPERTY_SEED'] ? Number(process.env['PAYSTATE_PROPERTY_SEED']) : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 100_000 }).chain((amount) =>
          fc.tuple(fc.constant(amount), fc.boolean(), fc.array(stepArb(amount), { minLength: 1, maxLength: 40, size: 'large' })),
        ),
        // half the runs start from a captured payment, so refunds, reviews and their resolutions are explored as much as the start
        ([amount, fromCapture, steps]) => run(amount, fromCapture ? [...CAPTURED, ...steps] : steps),
      ),
      { numRuns: Number(process.env['PAYSTATE_PROPERTY_RUNS'] ?? 150), examples: FOUND_BY_HAND.map(([amount, steps]) => [[amount, false, steps]]), ...(seed !== undefined ? { seed } : {}) },
    );
  });

  it.each(FOUND_BY_HAND.map((e, i) => [i, e] as const))('hold for the defect found by hand #%d', async (_i, [amount, steps]) => {
    await run(amount, steps);
  });
});
