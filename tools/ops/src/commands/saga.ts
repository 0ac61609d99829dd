import type { Client } from 'pg';
import { AWAITING, sagaStageOf } from '@paystate/contracts';
import type { CommandModule } from '../command';
import type { OpsContext } from '../context';
import { EXIT, OpsError, describe, usageError } from '../errors';
import { table } from '../output';
import { humanMs } from './stuck';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One line of the merged timeline: an event, a state change or a failure, in whichever service. */
export interface TimelineLine {
  at: string;
  service: string;
  what: string;
  detail: string;
}

interface Section {
  /** What the service's database holds of the order, or why it could not be read. */
  data?: Record<string, unknown>;
  error?: string;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

async function rows<T>(client: Client, sql: string, params: unknown[]): Promise<T[]> {
  return (await client.query(sql, params)).rows as T[];
}

interface DeadLetterRow {
  id: string;
  handler: string;
  topic: string;
  event_id: string;
  error: string;
  attempts: number;
  status: string | null;
  created_at: Date;
}

/** That order's dead letters in one service (dead_letter.kafka_key is the order id of every saga event). */
const deadLettersOf = (client: Client, orderId: string) =>
  rows<DeadLetterRow>(client, 'SELECT id, handler, topic, event_id, error, attempts, status, created_at FROM dead_letter WHERE kafka_key = $1 ORDER BY created_at', [orderId]);

type Reader = (client: Client, orderId: string, timeline: TimelineLine[]) => Promise<Record<string, unknown>>;

/** What each of the five services knows of the order, read from its own database as its own role. */
const READERS: Record<string, Reader> = {
  'order-service': async (client, orderId, timeline) => {
    const [order] = await rows<Record<string, unknown> & { placed_at: Date; updated_at: Date }>(
      client,
      'SELECT status, payment_status, fulfilment_status, cancellation_reason, cancellation_detail, refunded, total, currency, placed_at, updated_at FROM orders WHERE id = $1',
      [orderId],
    );
    if (!order) return {};
    const events = await rows<{ event_id: string; service: string; type: string; causation_id: string | null; occurred_at: Date }>(
      client,
      'SELECT event_id, service, type, causation_id, occurred_at FROM order_timeline WHERE order_id = $1 ORDER BY occurred_at, seq',
      [orderId],
    );
    const transitions = await rows<{ from_status: string | null; to_status: string; cause_type: string; at: Date }>(
      client,
      'SELECT from_status, to_status, cause_type, at FROM order_transition WHERE order_id = $1 ORDER BY at, id',
      [orderId],
    );
    const stuck = await stuckOf(client, orderId);
    for (const e of events) timeline.push({ at: iso(e.occurred_at)!, service: e.service, what: `event ${e.type}`, detail: `id ${e.event_id}` });
    for (const t of transitions) timeline.push({ at: iso(t.at)!, service: 'order-service', what: `order ${t.from_status ?? '∅'} → ${t.to_status}`, detail: `cause ${t.cause_type}` });
    return {
      order: {
        status: order['status'],
        paymentStatus: order['payment_status'],
        fulfilmentStatus: order['fulfilment_status'],
        cancellationReason: order['cancellation_reason'],
        cancellationDetail: order['cancellation_detail'],
        refunded: order['refunded'],
        total: Number(order['total']),
        currency: order['currency'],
        placedAt: iso(order.placed_at),
        updatedAt: iso(order.updated_at),
      },
      stuck,
    };
  },

  'payment-service': async (client, orderId, timeline) => {
    const payments = await rows<{ id: string; status: string; amount: string; currency: string; review_from_status: string | null; review_operation_id: string | null; created_at: Date; updated_at: Date }>(
      client,
      'SELECT id, status, amount, currency, review_from_status, review_operation_id, created_at, updated_at FROM payments WHERE order_id = $1 ORDER BY created_at',
      [orderId],
    );
    const ids = payments.map((p) => p.id);
    const operations = await rows<{ id: string; payment_id: string; type: string; status: string; attempts: number; last_error: string | null; result_code: string | null; deadline_at: Date; next_attempt_at: Date; created_at: Date; updated_at: Date }>(
      client,
      'SELECT id, payment_id, type, status, attempts, last_error, result_code, deadline_at, next_attempt_at, created_at, updated_at FROM payment_operation WHERE payment_id = ANY($1::uuid[]) ORDER BY created_at',
      [ids],
    );
    const transitions = await rows<{ payment_id: string; from_status: string | null; to_status: string; cause_type: string; at: Date }>(
      client,
      'SELECT payment_id, from_status, to_status, cause_type, at FROM payment_transition WHERE payment_id = ANY($1::uuid[]) ORDER BY at, id',
      [ids],
    );
    for (const t of transitions) timeline.push({ at: iso(t.at)!, service: 'payment-service', what: `payment ${t.from_status ?? '∅'} → ${t.to_status}`, detail: `cause ${t.cause_type}` });
    for (const o of operations) timeline.push({ at: iso(o.created_at)!, service: 'payment-service', what: `operation ${o.type} started`, detail: `now ${o.status} after ${o.attempts} attempt(s)${o.last_error ? `; last error: ${o.last_error}` : ''}` });
    return {
      payments: payments.map((p) => ({
        id: p.id,
        status: p.status,
        amount: Number(p.amount),
        currency: p.currency,
        review: p.review_operation_id ? { from: p.review_from_status, operationId: p.review_operation_id } : null,
        operations: operations
          .filter((o) => o.payment_id === p.id)
          .map((o) => ({ id: o.id, type: o.type, status: o.status, attempts: o.attempts, lastError: o.last_error, resultCode: o.result_code, deadlineAt: iso(o.deadline_at), nextAttemptAt: iso(o.next_attempt_at) })),
      })),
      stuck: await stuckOf(client, orderId),
    };
  },

  'ledger-service': async (client, orderId, timeline) => {
    const journals = await rows<{ id: string; kind: string; amount: string; currency: string; source_event_type: string; posted_at: Date }>(
      client,
      'SELECT id, kind, amount, currency, source_event_type, posted_at FROM journal WHERE order_id = $1 ORDER BY posted_at, position',
      [orderId],
    );
    const parked = await rows<{ status: string }>(client, 'SELECT status FROM parked_fact WHERE order_id = $1', [orderId]);
    for (const j of journals) timeline.push({ at: iso(j.posted_at)!, service: 'ledger-service', what: `journal ${j.kind}`, detail: `${j.amount} ${j.currency} from ${j.source_event_type}` });
    return {
      journals: journals.map((j) => ({ id: j.id, kind: j.kind, amount: Number(j.amount), currency: j.currency, sourceEventType: j.source_event_type, postedAt: iso(j.posted_at) })),
      parkedFacts: parked.filter((p) => p.status === 'PARKED').length,
    };
  },

  'fulfilment-service': async (client, orderId, timeline) => {
    const [reservation] = await rows<{ id: string; status: string; failure_reason: string | null; release_reason: string | null }>(
      client,
      'SELECT id, status, failure_reason, release_reason FROM reservation WHERE order_id = $1',
      [orderId],
    );
    const [shipment] = await rows<{ id: string; status: string; carrier: string; tracking_number: string | null; failure_reason: string | null }>(
      client,
      'SELECT id, status, carrier, tracking_number, failure_reason FROM shipment WHERE order_id = $1',
      [orderId],
    );
    const transitions = await rows<{ subject: string; from_status: string | null; to_status: string; cause_type: string; at: Date }>(
      client,
      'SELECT subject, from_status, to_status, cause_type, at FROM fulfilment_transition WHERE order_id = $1 ORDER BY at, id',
      [orderId],
    );
    for (const t of transitions) timeline.push({ at: iso(t.at)!, service: 'fulfilment-service', what: `${t.subject.toLowerCase()} ${t.from_status ?? '∅'} → ${t.to_status}`, detail: `cause ${t.cause_type}` });
    return {
      reservation: reservation ? { id: reservation.id, status: reservation.status, failureReason: reservation.failure_reason, releaseReason: reservation.release_reason } : null,
      shipment: shipment ? { id: shipment.id, status: shipment.status, carrier: shipment.carrier, trackingNumber: shipment.tracking_number, failureReason: shipment.failure_reason } : null,
    };
  },

  'notification-service': async (client, orderId, timeline) => {
    const notifications = await rows<{ id: string; kind: string; status: string; attempts: number; last_error: string | null; created_at: Date; sent_at: Date | null }>(
      client,
      'SELECT id, kind, status, attempts, last_error, created_at, sent_at FROM notification WHERE order_id = $1 ORDER BY created_at',
      [orderId],
    );
    for (const n of notifications) {
      timeline.push({ at: iso(n.created_at)!, service: 'notification-service', what: `email ${n.kind} queued`, detail: n.status });
      if (n.sent_at) timeline.push({ at: iso(n.sent_at)!, service: 'notification-service', what: `email ${n.kind} sent`, detail: `after ${n.attempts} attempt(s)` });
    }
    return { notifications: notifications.map((n) => ({ id: n.id, kind: n.kind, status: n.status, attempts: n.attempts, lastError: n.last_error, sentAt: iso(n.sent_at) })) };
  },
};

/** The saga monitor's open reports of the order in a service that runs one. */
async function stuckOf(client: Client, orderId: string): Promise<unknown[]> {
  const found = await rows<{ stage: string; level: string; since: Date; first_seen: Date; acknowledged_at: Date | null; acknowledged_by: string | null }>(
    client,
    'SELECT stage, level, since, first_seen, acknowledged_at, acknowledged_by FROM stuck_saga WHERE order_id = $1 AND resolved_at IS NULL ORDER BY first_seen',
    [orderId],
  );
  return found.map((s) => ({ stage: s.stage, level: s.level, since: iso(s.since), firstSeen: iso(s.first_seen), acknowledgedAt: iso(s.acknowledged_at), acknowledgedBy: s.acknowledged_by }));
}

export interface SagaReport {
  orderId: string;
  status: string;
  /** What the saga waits for now (null once the order is terminal). */
  waiting: { stage: string; event: string; producer: string; since: string; forMs: number } | null;
  services: Record<string, Section>;
  deadLetters: { service: string; id: string; handler: string; topic: string; eventId: string; status: string | null; attempts: number; error: string; createdAt: string }[];
  timeline: TimelineLine[];
  /** Services whose database could not be read (the report is partial; exit 69). */
  unreadable: string[];
}

export async function sagaReport(ctx: OpsContext, orderId: string, now = new Date()): Promise<SagaReport> {
  const timeline: TimelineLine[] = [];
  const services: Record<string, Section> = {};
  const deadLetters: SagaReport['deadLetters'] = [];
  const unreadable: string[] = [];

  // order-service first: it owns the order, and an order it does not know is unknown (64)
  const own = await ctx.withServiceDb('order-service', async (client) => ({ data: await READERS['order-service']!(client, orderId, timeline), dead: await deadLettersOf(client, orderId) }));
  if (!own.data['order']) throw usageError(`unknown order ${orderId}`, 'order-service has no order with that id; check the id (`GET /orders/:id`)');
  services['order-service'] = { data: own.data };
  const collect = (service: string, dead: DeadLetterRow[]): void => {
    for (const d of dead) {
      deadLetters.push({ service, id: d.id, handler: d.handler, topic: d.topic, eventId: d.event_id, status: d.status, attempts: d.attempts, error: d.error, createdAt: iso(d.created_at)! });
      timeline.push({ at: iso(d.created_at)!, service, what: `dead letter (${d.handler})`, detail: d.error.slice(0, 200) });
    }
  };
  collect('order-service', own.dead);

  await Promise.all(
    Object.keys(READERS)
      .filter((s) => s !== 'order-service')
      .map(async (service) => {
        try {
          const read = await ctx.withServiceDb(service, async (client) => ({ data: await READERS[service]!(client, orderId, timeline), dead: await deadLettersOf(client, orderId) }));
          services[service] = { data: read.data };
          collect(service, read.dead);
        } catch (error) {
          services[service] = { error: describe(error) };
          unreadable.push(service);
        }
      }),
  );

  const order = own.data['order'] as { status: string; paymentStatus: string | null; fulfilmentStatus: string | null; updatedAt: string };
  const stage = sagaStageOf(order);
  const waiting = stage
    ? { stage, ...AWAITING[stage], since: order.updatedAt, forMs: now.getTime() - new Date(order.updatedAt).getTime() }
    : null;
  timeline.sort((a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service));
  return { orderId, status: order.status, waiting, services, deadLetters, timeline, unreadable };
}

function render(r: SagaReport): string {
  const o = r.services['order-service']?.data?.['order'] as { paymentStatus: string | null; fulfilmentStatus: string | null };
  const lines = [
    `order ${r.orderId}: ${r.status} (payment ${o.paymentStatus ?? '-'}, fulfilment ${o.fulfilmentStatus ?? '-'})`,
    r.waiting
      ? `waiting for ${r.waiting.event} from ${r.waiting.producer} (${r.waiting.stage}) since ${r.waiting.since}, for ${humanMs(r.waiting.forMs)}`
      : `waiting for nothing: the order is ${r.status}`,
    '',
  ];
  for (const [service, section] of Object.entries(r.services)) {
    lines.push(`${service}: ${section.error ? `UNREADABLE (${section.error})` : JSON.stringify(section.data)}`);
  }
  lines.push('', r.deadLetters.length === 0 ? 'no dead letters for this order' : `${r.deadLetters.length} dead letter(s):`);
  if (r.deadLetters.length > 0) lines.push(table(['service', 'handler', 'status', 'attempts', 'error'], r.deadLetters.map((d) => [d.service, d.handler, d.status ?? '-', String(d.attempts), d.error.slice(0, 80)])));
  lines.push('', 'timeline:', table(['at', 'service', 'what', 'detail'], r.timeline.map((t) => [t.at, t.service, t.what, t.detail.slice(0, 100)])));
  return lines.join('\n');
}

/** `ops saga <orderId>`: one order across the five services (the console gap of the anchors). */
export const sagaCommands: CommandModule = (program, action) => {
  program
    .command('saga <orderId>')
    .description('one order across all five services: each one’s state, the merged timeline, dead letters, and the step it waits for and since when')
    .action(
      action(async (ctx, orderId: string) => {
        if (!UUID.test(orderId)) throw usageError(`"${orderId}" is not an order id (a UUID)`);
        const report = await sagaReport(ctx, orderId.toLowerCase());
        ctx.out.result(report, render);
        if (report.unreadable.length > 0) {
          throw new OpsError(EXIT.unavailable, `could not read ${report.unreadable.join(', ')}: the report above is partial`, 'check that PostgreSQL serves those databases (`paystate-ops env`)');
        }
      }),
    );
};
