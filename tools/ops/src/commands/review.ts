import type { Command } from 'commander';
import type { CommandModule } from '../command';
import { callService, problemText } from '../clients/service-api';
import type { DangerFlags, OpsContext } from '../context';
import { EXIT, OpsError, failure, usageError } from '../errors';
import { table } from '../output';
import { withDangerOptions } from './danger-options';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A payment in REQUIRES_REVIEW as payment-service recorded it. */
interface ReviewRow {
  id: string;
  order_id: string;
  amount: string;
  currency: string;
  review_from_status: string | null;
  review_operation_id: string | null;
  updated_at: Date;
  operation_type: string | null;
  operation_status: string | null;
  attempts: number | null;
  last_error: string | null;
  result_code: string | null;
  processor_object_id: string | null;
  since: Date | null;
  note: string | null;
}

export interface ReviewItem {
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  /** The status the payment was in when it went to review, and for how long it has been there. */
  from: string | null;
  since: string | null;
  /** The operation under review, as payment-service recorded it. */
  operation: { id: string; type: string | null; status: string | null; attempts: number | null; lastError: string | null; resultCode: string | null; processorObjectId: string | null } | null;
  /** What the processor itself says: the request with the operation's Idempotency-Key, and every movement for this payment. */
  processor: { known: true; operation: unknown; authorisations: unknown } | { known: false; reason: string };
}

async function reviewsInDb(ctx: OpsContext, paymentId?: string): Promise<ReviewRow[]> {
  return ctx.withServiceDb('payment-service', async (client) =>
    (
      await client.query(
        `SELECT p.id, p.order_id, p.amount, p.currency, p.review_from_status, p.review_operation_id, p.updated_at,
                o.type AS operation_type, o.status AS operation_status, o.attempts, o.last_error, o.result_code, o.processor_object_id,
                t.at AS since, t.note
           FROM payments p
           LEFT JOIN payment_operation o ON o.id = p.review_operation_id
           LEFT JOIN LATERAL (SELECT at, note FROM payment_transition WHERE payment_id = p.id AND to_status = 'REQUIRES_REVIEW' ORDER BY id DESC LIMIT 1) t ON true
          WHERE p.status = 'REQUIRES_REVIEW' AND ($1::uuid IS NULL OR p.id = $1::uuid)
          ORDER BY t.at NULLS FIRST`,
        [paymentId ?? null],
      )
    ).rows as ReviewRow[],
  );
}

/**
 * The processor's view (processor-sim's lookups, with the API key payment-service calls it with:
 * PAYSTATE_PROCESSOR_API_KEY). Without the key, or with the processor down, it says so: unknown
 * is never shown as "nothing happened".
 */
async function processorView(ctx: OpsContext, row: ReviewRow): Promise<ReviewItem['processor']> {
  const key = process.env['PAYSTATE_PROCESSOR_API_KEY'];
  if (!key) return { known: false, reason: 'set PAYSTATE_PROCESSOR_API_KEY (the key payment-service calls the processor with) to see the processor’s records' };
  const base = ctx.service('processor-sim').url;
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`${res.status} on GET ${path}`);
    return res.json();
  };
  try {
    const operation = row.review_operation_id ? await get(`/v1/operations/${row.review_operation_id}`) : null;
    const authorisations = ((await get(`/v1/authorisations?reference=${row.id}`)) as { data?: unknown } | null)?.data ?? [];
    return { known: true, operation, authorisations };
  } catch (error) {
    return { known: false, reason: `the processor (${base}) could not be read: ${(error as Error).message}` };
  }
}

const toItem = (r: ReviewRow, processor: ReviewItem['processor']): ReviewItem => ({
  paymentId: r.id,
  orderId: r.order_id,
  amount: Number(r.amount),
  currency: r.currency,
  from: r.review_from_status,
  since: r.since ? r.since.toISOString() : null,
  operation: r.review_operation_id
    ? { id: r.review_operation_id, type: r.operation_type, status: r.operation_status, attempts: r.attempts, lastError: r.last_error, resultCode: r.result_code, processorObjectId: r.processor_object_id }
    : null,
  processor,
});

const processorSummary = (p: ReviewItem['processor']): string => {
  if (!p.known) return 'unknown';
  const op = p.operation as { status?: number; outcome?: string; body?: unknown } | null;
  return op ? JSON.stringify(op).slice(0, 80) : 'no request with that key reached the processor';
};

const ACTIONS = ['retry', 'record-outcome'] as const;

interface ResolveFlags extends DangerFlags {
  action?: string;
  outcome?: string;
  processorObjectId?: string;
  code?: string;
}

/** The body of POST /payments/:id/resolutions for the flags given, or a usage error saying what is missing. */
export function resolutionBody(flags: ResolveFlags, note: string): Record<string, string> {
  if (!flags.action || !(ACTIONS as readonly string[]).includes(flags.action)) throw usageError(`--action must be one of ${ACTIONS.join(', ')}`);
  if (flags.action === 'retry') return { action: 'retry', note };
  if (flags.outcome === 'succeeded') {
    if (!flags.processorObjectId) throw usageError('--outcome succeeded needs --processor-object-id <id> (the processor’s id of the movement, from its records)');
    return { action: 'record-outcome', outcome: 'succeeded', processorObjectId: flags.processorObjectId, note };
  }
  if (flags.outcome === 'failed') {
    if (!flags.code) throw usageError('--outcome failed needs --code <code> (the processor’s failure code)');
    return { action: 'record-outcome', outcome: 'failed', code: flags.code, note };
  }
  throw usageError('--action record-outcome needs --outcome succeeded|failed');
}

/** `ops review list|resolve`: payments in REQUIRES_REVIEW with what the processor knows, and a person's resolution. */
export const reviewCommands: CommandModule = (program, action) => {
  const review = program.command('review').description('payments in REQUIRES_REVIEW: list them with the processor’s view, resolve one');

  review
    .command('list')
    .description('payments in REQUIRES_REVIEW, the operation under review and what the processor recorded (exit 1 if any)')
    .action(
      action(async (ctx) => {
        const found = await reviewsInDb(ctx);
        const items = await Promise.all(found.map(async (r) => toItem(r, await processorView(ctx, r))));
        ctx.out.result({ reviews: items }, (d) =>
          d.reviews.length === 0
            ? 'no payment is under review'
            : table(
                ['payment', 'order', 'amount', 'from', 'since', 'operation', 'status', 'attempts', 'last error', 'processor says'],
                d.reviews.map((i) => [i.paymentId, i.orderId, `${i.amount} ${i.currency}`, i.from ?? '-', i.since ?? '-', i.operation?.type ?? '-', i.operation?.status ?? '-', String(i.operation?.attempts ?? '-'), (i.operation?.lastError ?? '-').slice(0, 50), processorSummary(i.processor)]),
              ),
        );
        return items.length > 0 ? EXIT.failure : EXIT.ok;
      }),
    );

  const resolve: Command = review
    .command('resolve <paymentId>')
    .description('resolve a payment under review through payment-service’s API: retry the operation, or record the outcome the processor shows; dry run unless --execute')
    .option('--action <action>', 'retry | record-outcome')
    .option('--outcome <outcome>', 'with record-outcome: succeeded | failed')
    .option('--processor-object-id <id>', 'with --outcome succeeded: the processor’s id of the movement')
    .option('--code <code>', 'with --outcome failed: the processor’s failure code');
  withDangerOptions(resolve).action(
    action(async (ctx, paymentId: string, flags: ResolveFlags) => {
      if (!UUID.test(paymentId)) throw usageError(`"${paymentId}" is not a payment id (a UUID)`);
      const body = resolutionBody(flags, flags.reason?.trim() || '(dry run)');
      const [row] = await reviewsInDb(ctx, paymentId.toLowerCase());
      if (!row) {
        const exists = await ctx.withServiceDb('payment-service', async (c) => (await c.query('SELECT status FROM payments WHERE id = $1', [paymentId])).rows[0] as { status: string } | undefined);
        if (!exists) throw usageError(`unknown payment ${paymentId}`, 'list the payments under review with `ops review list`');
        throw new OpsError(EXIT.failure, `payment ${paymentId} is not under review (it is ${exists.status}); nothing to resolve`);
      }
      const plan = {
        summary: `resolve payment ${paymentId} (order ${row.order_id}, under review from ${row.review_from_status ?? '?'}, ${row.operation_type ?? '?'} ${row.operation_status ?? '?'}): ${flags.action}${flags.outcome ? ` ${flags.outcome}` : ''}`,
        detail: { paymentId, orderId: row.order_id, request: { ...body, note: flags.reason ?? null } },
      };
      const outcome = await ctx.dangerous('review resolve', flags, { paymentId, action: flags.action, outcome: flags.outcome ?? null }, plan, async (auditId) => {
        const r = await callService<Record<string, unknown>>(ctx.service('payment-service'), 'POST', `/payments/${paymentId}/resolutions`, { body, idempotencyKey: `ops-review-${auditId}` });
        if (r.status !== 200 && r.status !== 202) throw failure(`payment-service refused the resolution (${r.status}): ${problemText(r.body)}`, 'read the processor’s view with `ops review list`; a 409 means the payment or its operation moved since');
        return { httpStatus: r.status, response: r.body };
      });
      if (!outcome.executed) {
        ctx.out.result({ paymentId, executed: false, plan: plan.detail }, () => plan.summary);
        return EXIT.ok;
      }
      ctx.out.result({ paymentId, executed: true, auditId: outcome.auditId, result: outcome.result }, (d) => `payment-service: ${JSON.stringify(d.result)}`);
      return EXIT.ok;
    }),
  );
};
