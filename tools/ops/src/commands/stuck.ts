import type { Command } from 'commander';
import type { CommandModule } from '../command';
import { callService, problemText } from '../clients/service-api';
import type { DangerFlags, OpsContext } from '../context';
import { EXIT, failure, usageError } from '../errors';
import { table } from '../output';
import type { ServiceSettings } from '../settings';
import { withDangerOptions } from './danger-options';

/** One report of the saga monitor, as GET /sagas/stuck answers it (order-service and payment-service). */
export interface StuckItem {
  service: string;
  orderId: string;
  subjectId: string;
  stage: string;
  level: string;
  since: string;
  ageMs: number;
  slaMs: number | null;
  thresholdMs: number;
  awaiting: { event: string; producer: string };
  attempts: number | null;
  lastError: string | null;
  firstSeen: string;
  eventId: string;
  acknowledged: { at: string; by: string; note: string | null } | null;
}

/** The services that run a saga monitor, by the names `--service` takes. */
export const MONITORED = { order: 'order-service', payment: 'payment-service' } as const;
type MonitoredKey = keyof typeof MONITORED;

function monitoredServices(ctx: OpsContext, only: string | undefined): ServiceSettings[] {
  if (only === undefined) return Object.values(MONITORED).map((name) => ctx.service(name));
  const key = only.replace(/-service$/, '') as MonitoredKey;
  if (!(key in MONITORED)) throw usageError(`--service ${only}: no saga monitor runs there`, 'one of: order, payment');
  return [ctx.service(MONITORED[key])];
}

/** The stuck reports of each service (the services know their SLAs, so ops asks them). */
export async function fetchStuck(services: readonly ServiceSettings[], includeAcknowledged: boolean): Promise<StuckItem[]> {
  const lists = await Promise.all(
    services.map(async (svc) => {
      const r = await callService<{ stuck: StuckItem[] }>(svc, 'GET', `/sagas/stuck?includeAcknowledged=${includeAcknowledged}`);
      if (r.status !== 200) throw failure(`${svc.name} answered ${r.status} on GET /sagas/stuck: ${problemText(r.body)}`);
      return r.body.stuck;
    }),
  );
  return lists.flat().sort((a, b) => b.ageMs - a.ageMs);
}

/** `4h 2m`, `12.3s`: an age for a person. */
export function humanMs(ms: number | null): string {
  if (ms === null) return 'unknown';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m ${Math.floor((ms % 60_000) / 1000)}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

const renderStuck = (items: readonly StuckItem[]): string =>
  items.length === 0
    ? 'no stuck sagas'
    : table(
        ['service', 'order', 'stage', 'level', 'age / SLA', 'awaiting', 'from', 'attempts', 'last error', 'acknowledged'],
        items.map((i) => [
          i.service,
          i.orderId,
          i.stage,
          i.level,
          `${humanMs(i.ageMs)} / ${humanMs(i.slaMs)}`,
          i.awaiting.event,
          i.awaiting.producer,
          i.attempts === null ? '-' : String(i.attempts),
          i.lastError ? i.lastError.slice(0, 60) : '-',
          i.acknowledged ? `${i.acknowledged.by} ${i.acknowledged.at}` : 'no',
        ]),
      );

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `ops stuck`: the saga monitor's list (order-service's sagas and payment-service's payments past
 * their SLA): stage, age against the SLA, what it waits for and from whom, attempts, last error.
 * Exit 1 while any report is unacknowledged. `ops stuck ack <orderId>` acknowledges (audited).
 */
export const stuckCommands: CommandModule = (program, action) => {
  const stuck = program
    .command('stuck')
    .description('list sagas and payments stuck past their SLA (exit 1 if any is unacknowledged); `stuck ack` acknowledges one')
    .option('--service <name>', 'only this service: order | payment')
    .option('--include-acknowledged', 'list acknowledged reports too')
    .action(
      action(async (ctx, opts: { service?: string; includeAcknowledged?: boolean }) => {
        const items = await fetchStuck(monitoredServices(ctx, opts.service), opts.includeAcknowledged === true);
        const unacknowledged = items.filter((i) => !i.acknowledged).length;
        ctx.out.result({ stuck: items, unacknowledged }, (d) => `${renderStuck(d.stuck)}${d.unacknowledged > 0 ? `\n\n${d.unacknowledged} unacknowledged: look at each with \`ops saga <orderId>\`, then \`ops stuck ack <orderId> --execute --reason "..."\`` : ''}`);
        return unacknowledged > 0 ? EXIT.failure : EXIT.ok;
      }),
    );

  const ack: Command = stuck
    .command('ack <orderId>')
    .description('acknowledge the open stuck reports of an order (not reported again until a new crossing); dry run unless --execute')
    .option('--service <name>', 'only in this service: order | payment');
  withDangerOptions(ack).action(
    action(async (ctx, orderId: string, opts: DangerFlags & { service?: string }) => {
      if (!UUID.test(orderId)) throw usageError(`"${orderId}" is not an order id (a UUID)`);
      const services = monitoredServices(ctx, opts.service);
      const open = (await fetchStuck(services, true)).filter((i) => i.orderId === orderId.toLowerCase());
      if (open.length === 0) throw usageError(`order ${orderId} has no open stuck report${opts.service ? ` in ${opts.service}` : ''}`, 'list them with `ops stuck --include-acknowledged`');
      const pending = open.filter((i) => !i.acknowledged);
      const targets = [...new Set(pending.map((i) => i.service))];
      const plan = {
        summary: pending.length === 0 ? `every stuck report of order ${orderId} is acknowledged already; nothing to do` : `acknowledge ${pending.length} stuck report(s) of order ${orderId} in ${targets.join(', ')}: ${pending.map((i) => `${i.stage} ${i.level}`).join(', ')}`,
        detail: { orderId, reports: pending.map((i) => ({ service: i.service, stage: i.stage, level: i.level, eventId: i.eventId })) },
      };
      if (pending.length === 0) {
        ctx.out.result({ orderId, executed: false, acknowledged: [] }, () => plan.summary);
        return EXIT.ok;
      }
      const outcome = await ctx.dangerous('stuck ack', opts, { orderId, service: opts.service ?? null }, plan, async (auditId) => {
        const answers = [];
        for (const name of targets) {
          const svc = ctx.service(name);
          const r = await callService<{ acknowledgedNow: { stage: string; level: string }[] }>(svc, 'POST', `/sagas/${orderId}/acknowledge`, {
            body: { note: opts.reason, by: ctx.actor },
            idempotencyKey: `ops-stuck-ack-${auditId}-${name}`,
          });
          if (r.status !== 200) throw failure(`${name} refused the acknowledgement (${r.status}): ${problemText(r.body)}`);
          answers.push({ service: name, acknowledged: r.body.acknowledgedNow });
        }
        return answers;
      });
      if (!outcome.executed) {
        ctx.out.result({ orderId, executed: false, plan: plan.detail }, () => plan.summary);
        return EXIT.ok;
      }
      ctx.out.result({ orderId, executed: true, auditId: outcome.auditId, results: outcome.result }, (d) =>
        d.results.map((r) => `${r.service}: acknowledged ${r.acknowledged.map((a) => `${a.stage} ${a.level}`).join(', ') || 'nothing new'}`).join('\n'),
      );
      return EXIT.ok;
    }),
  );
};
