import type { CommandModule } from '../command';
import type { OpsContext, DangerFlags } from '../context';
import { EXIT, ExitCode, refused, usageError } from '../errors';
import { table } from '../output';
import { ServiceSettings, serviceOfGroup } from '../settings';
import { LETTER_STATUSES, LetterFilter, LetterRow, LetterStatus, WrittenRequest, findLetters, redriveHistory, requestRedrive, requestsById } from '../dlq/store';
import { detail, summary } from '../dlq/view';

/**
 * `ops dlq list | show | redrive` (SPEC §9, ops-anchors §1.7, ADR 0016). Letters live in each
 * consuming service's own `dead_letter` table; a redrive is a request written there, carried out by
 * that service's redrive worker through the handler that failed, and only that one.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Zoned instants only (ops-anchors §2 row 3): a time without Z or an offset is ambiguous. */
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

interface ListFlags {
  service?: string;
  group?: string;
  type?: string;
  order?: string;
  since?: string;
  until?: string;
  status?: string;
  limit: string;
}

interface RedriveFlags extends DangerFlags {
  order?: string;
  service?: string;
  type?: string;
  wait: boolean;
  timeout: string;
  max: string;
}

function consumingServices(ctx: OpsContext, flags: { service?: string; group?: string }): ServiceSettings[] {
  if (flags.group) {
    const svc = serviceOfGroup(ctx.settings, flags.group);
    if (flags.service && ctx.service(flags.service).name !== svc.name) throw usageError(`group ${flags.group} is not ${flags.service}'s`);
    return [svc];
  }
  if (flags.service) {
    const svc = ctx.service(flags.service);
    if (!svc.group) throw usageError(`${svc.name} consumes no topic: it has no dead letters`);
    return [svc];
  }
  return Object.values(ctx.settings.services).filter((s) => s.group !== undefined);
}

function instant(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!ZONED.test(value) || Number.isNaN(date.getTime())) throw usageError(`${flag} ${value}: not a zoned ISO 8601 instant`, 'write it with Z or an offset, e.g. 2026-12-01T16:00:00Z');
  return date;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} ${value}: not a positive whole number`);
  return n;
}

function filterOf(flags: ListFlags): LetterFilter {
  if (flags.status !== undefined && !(LETTER_STATUSES as readonly string[]).includes(flags.status)) {
    throw usageError(`--status ${flags.status}: unknown status`, `one of: ${LETTER_STATUSES.join(', ')}`);
  }
  const since = instant('--since', flags.since);
  const until = instant('--until', flags.until);
  return {
    ...(flags.group ? { group: flags.group } : {}),
    ...(flags.type ? { type: flags.type } : {}),
    ...(flags.order ? { order: flags.order } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(flags.status ? { statuses: [flags.status as LetterStatus] } : {}),
    limit: positive('--limit', flags.limit),
  };
}

/** The letter with this id in whichever consuming service holds it; a usage error (64) if none does. */
async function locate(ctx: OpsContext, id: string): Promise<{ service: ServiceSettings; row: LetterRow }> {
  if (!UUID.test(id)) throw usageError(`unknown dead letter ${id}: not a letter id (a UUID)`, 'list them with `paystate-ops dlq list`');
  for (const service of consumingServices(ctx, {})) {
    const [row] = await ctx.withServiceDb(service.name, (c) => findLetters(c, { ids: [id.toLowerCase()] }));
    if (row) return { service, row };
  }
  throw usageError(`unknown dead letter ${id}`, 'list them with `paystate-ops dlq list`');
}

/** Is the service's API answering? (Its redrive worker runs in the same process.) */
async function isRunning(service: ServiceSettings): Promise<boolean> {
  try {
    // liveness, not readiness: a process whose database or broker is away still runs its worker
    await fetch(`${service.url}/health/live`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

interface Target {
  service: ServiceSettings;
  row: LetterRow;
}

interface RedriveResult {
  letter: string;
  service: string;
  type: string | null;
  order: string | null;
  outcome: 'applied' | 'failed-again' | 'already-handled' | 'pending';
  error: string | null;
}

export const dlqCommands: CommandModule = (program, action) => {
  const dlq = program.command('dlq').description('dead letters: list, show, redrive through the consumer that failed (ADR 0016)');

  dlq
    .command('list')
    .description("list dead letters of every consuming service (filters combine); order = the record's key")
    .option('--service <name>', 'only this service')
    .option('--group <group>', 'only this consumer group')
    .option('--type <EventType>', 'only this event type')
    .option('--order <id>', 'only the letters of this order (the Kafka key)')
    .option('--since <iso>', 'parked at or after (zoned ISO 8601)')
    .option('--until <iso>', 'parked before (zoned ISO 8601)')
    .option('--status <status>', `only this status: ${LETTER_STATUSES.join(' | ')}`)
    .option('--limit <n>', 'at most this many per service', '1000')
    .action(
      action(async (ctx, flags: ListFlags) => {
        const filter = filterOf(flags);
        const letters = [];
        for (const service of consumingServices(ctx, flags)) {
          const rows = await ctx.withServiceDb(service.name, (c) => findLetters(c, filter));
          letters.push(...rows.map((r) => summary(service.name, r)));
        }
        ctx.out.result({ letters }, (d) =>
          d.letters.length === 0
            ? 'no dead letters match'
            : table(
                ['id', 'service', 'type', 'order', 'status', 'attempts', 'redrives', 'parked at', 'last error'],
                d.letters.map((l) => [l.id, l.service, l.type ?? '-', l.order ?? '-', l.status, String(l.attempts), String(l.redriveCount), l.createdAt, l.lastError.slice(0, 80)]),
              ),
        );
      }),
    );

  dlq
    .command('show <id>')
    .description('one letter: the original record (topic, partition, offset, key, headers), its errors and redrive history; payload masked unless --show-payload')
    .option('--show-payload', 'print the payload itself (written to the audit log)')
    .action(
      action(async (ctx, id: string, flags: { showPayload?: boolean }) => {
        const { service, row } = await locate(ctx, id);
        const history = await ctx.withServiceDb(service.name, (c) => redriveHistory(c, row.id));
        if (flags.showPayload) {
          // payment data: who looked at which payload is on record
          const auditId = await ctx.audit.start({ command: 'dlq show --show-payload', actor: ctx.actor, reason: 'payload shown', args: { id: row.id }, plan: { service: service.name } });
          await ctx.audit.finish(auditId, 'succeeded', { shown: row.id });
        }
        const d = detail(service.name, row, history, flags.showPayload === true);
        ctx.out.result(d, (x) =>
          [
            `dead letter ${x.id} (${x.status}) in ${x.service}, handler ${x.handler}`,
            `event     ${x.type ?? '-'} ${x.eventId}, order ${x.order ?? '-'}`,
            `record    ${x.record.topic}[${x.record.partition}]@${x.record.offset} key ${x.record.key ?? '-'}`,
            `headers   ${JSON.stringify(x.record.headers)}`,
            x.payload.shown ? `payload   ${JSON.stringify(x.payload.value)}` : `payload   masked: ${x.payload.bytes} bytes, sha256 ${x.payload.sha256 ?? '-'}, fields ${x.payload.fields.join(',') || '-'}, ids ${JSON.stringify(x.payload.ids)} (--show-payload prints it)`,
            '',
            'errors',
            table(['source', 'at', 'error'], x.errors.map((e) => [e.source, e.at, e.error])),
            '',
            x.redrives.length === 0 ? 'never redriven' : table(['requested at', 'by', 'reason', 'outcome', 'finished at', 'error'], x.redrives.map((r) => [r.requestedAt, r.requestedBy, r.reason, r.outcome, r.finishedAt ?? '-', r.error ?? ''])),
          ].join('\n'),
        );
      }),
    );

  dlq
    .command('redrive [ids...]')
    .description('run letters again through the handler that failed, once (a dry run unless --execute); one order\'s letters in the order they were parked')
    .option('--order <id>', "every parked letter of this order (the record's key)")
    .option('--service <name>', 'every parked letter of this service (or, with --order, only this service)')
    .option('--type <EventType>', 'with --service or --order: only this event type')
    .option('--execute', 'do it (default: a dry run that prints the plan)')
    .option('--dry-run', 'print the plan only (the default)')
    .option('--reason <why>', 'why, for the audit log (needed with --execute)')
    .option('--no-wait', 'write the requests and return without waiting for the outcomes')
    .option('--timeout <seconds>', 'how long to wait for the outcomes', '60')
    .option('--max <n>', 'refuse to redrive more letters than this', '100')
    .action(
      action(async (ctx, ids: string[], flags: RedriveFlags): Promise<ExitCode> => {
        const byId = ids.length > 0;
        if (byId && (flags.order || flags.service || flags.type)) throw usageError('give letter ids, or --order / --service, not both');
        if (!byId && !flags.order && !flags.service) throw usageError('which letters? give their ids, --order <id> or --service <name>', 'find them with `paystate-ops dlq list`');
        const timeoutMs = positive('--timeout', flags.timeout) * 1000;
        const max = positive('--max', flags.max);

        let targets: Target[] = [];
        if (byId) {
          const seen = new Set<string>();
          for (const id of ids) {
            const found = await locate(ctx, id);
            if (!seen.has(found.row.id)) targets.push(found);
            seen.add(found.row.id);
          }
        } else {
          const filter: LetterFilter = { statuses: ['parked', 'redrive-requested'], ...(flags.order ? { order: flags.order } : {}), ...(flags.type ? { type: flags.type } : {}), limit: max + 1 };
          for (const service of consumingServices(ctx, flags)) {
            const rows = await ctx.withServiceDb(service.name, (c) => findLetters(c, filter));
            targets.push(...rows.map((row) => ({ service, row })));
          }
          if (targets.length === 0) {
            throw usageError(`no parked dead letter matches ${[flags.order && `order ${flags.order}`, flags.service && `service ${flags.service}`, flags.type && `type ${flags.type}`].filter(Boolean).join(', ')}`, 'list them with `paystate-ops dlq list`');
          }
        }
        if (targets.length > max) throw refused(`${byId ? targets.length : `more than ${max}`} letters match; --max is ${max}`, 'narrow the selection (--type, --order) or raise --max');
        // the order the workers take them in: per service, per key, as they were parked
        targets = [...targets].sort(redriveOrder);

        const plan = targets.map((t, i) => ({ step: i + 1, ...summary(t.service.name, t.row), willBe: t.row.status === 'redriven' ? 'already-handled (redriven before: nothing happens)' : 'redriven' }));
        const causes = new Map<string, number>();
        for (const p of plan) causes.set(`${p.type ?? '-'}: ${p.lastError.slice(0, 60)}`, (causes.get(`${p.type ?? '-'}: ${p.lastError.slice(0, 60)}`) ?? 0) + 1);
        const byCause = [...causes].map(([cause, count]) => ({ cause, count }));
        const render = () =>
          [
            table(['#', 'letter', 'service', 'type', 'order', 'status', 'will be'], plan.map((p) => [String(p.step), p.id, p.service, p.type ?? '-', p.order ?? '-', p.status, p.willBe])),
            '',
            table(['count', 'cause'], byCause.map((c) => [String(c.count), c.cause])),
          ].join('\n');

        const run = await ctx.dangerous(
          'dlq redrive',
          flags,
          { ids, order: flags.order, service: flags.service, type: flags.type },
          { summary: `redrive ${plan.length} dead letter(s) through the handler that failed:\n${render()}`, detail: { letters: plan.map((p) => ({ id: p.id, service: p.service, type: p.type, order: p.order })) } },
          async () => {
            const written: { service: ServiceSettings; request: WrittenRequest; row: LetterRow }[] = [];
            for (const service of [...new Set(targets.map((t) => t.service))]) {
              const rows = targets.filter((t) => t.service === service).map((t) => t.row);
              const requests = await ctx.withServiceDb(service.name, (c) => requestRedrive(c, rows.map((r) => r.id), ctx.actor, flags.reason!));
              for (const request of requests) written.push({ service, request, row: rows.find((r) => r.id === request.letterId)! });
            }
            return flags.wait ? waitForOutcomes(ctx, written, timeoutMs) : written.map((w) => result(w.service, w.row, w.request.immediate ?? 'pending', null));
          },
        );
        if (!run.executed) {
          ctx.out.result({ executed: false, plan, byCause }, render);
          return EXIT.ok;
        }
        const outcomes = run.result;
        ctx.out.result({ executed: true, auditId: run.auditId, waited: flags.wait, outcomes }, (d) =>
          table(['letter', 'service', 'type', 'order', 'outcome', 'error'], d.outcomes.map((o) => [o.letter, o.service, o.type ?? '-', o.order ?? '-', o.outcome, o.error ?? ''])),
        );
        const pending = outcomes.filter((o) => o.outcome === 'pending');
        if (pending.length > 0 && flags.wait) {
          ctx.out.info(`${pending.length} request(s) still waiting for ${[...new Set(pending.map((p) => p.service))].join(', ')}: they stay requested and are redriven when the service's worker runs; check with \`paystate-ops dlq show <id>\``);
          return EXIT.failure;
        }
        return outcomes.some((o) => o.outcome === 'failed-again') ? EXIT.failure : EXIT.ok;
      }),
    );
};

/** Service, then key, then as parked: the order of dead-letter-store.ts claimNext. */
function redriveOrder(a: Target, b: Target): number {
  const ka = a.row.kafka_key;
  const kb = b.row.kafka_key;
  return (
    a.service.name.localeCompare(b.service.name) ||
    (ka === kb ? 0 : ka === null ? 1 : kb === null ? -1 : ka < kb ? -1 : 1) ||
    a.row.created_at.getTime() - b.row.created_at.getTime() ||
    a.row.topic.localeCompare(b.row.topic) ||
    a.row.kafka_partition - b.row.kafka_partition ||
    Number(BigInt(a.row.kafka_offset) - BigInt(b.row.kafka_offset)) ||
    a.row.id.localeCompare(b.row.id)
  );
}

function result(service: ServiceSettings, row: LetterRow, outcome: RedriveResult['outcome'], error: string | null): RedriveResult {
  return { letter: row.id, service: service.name, type: row.headers['eventType'] ?? null, order: row.kafka_key, outcome, error };
}

/** Polls the requests until each has an outcome or the timeout passes (then 'pending'). */
async function waitForOutcomes(ctx: OpsContext, written: readonly { service: ServiceSettings; request: WrittenRequest; row: LetterRow }[], timeoutMs: number): Promise<RedriveResult[]> {
  for (const service of new Set(written.map((w) => w.service))) {
    if (written.some((w) => w.service === service && !w.request.immediate) && !(await isRunning(service))) {
      ctx.out.info(`${service.name} is not running (${service.url}/health/live does not answer): its requests wait for it; its redrive worker carries them out when it starts`);
    }
  }
  const outcomes = new Map<string, { outcome: RedriveResult['outcome']; error: string | null }>();
  for (const w of written) if (w.request.immediate) outcomes.set(w.request.requestId, { outcome: w.request.immediate, error: null });
  const progress = ctx.out.progress('redriving', written.length);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      for (const service of new Set(written.map((w) => w.service))) {
        const open = written.filter((w) => w.service === service && !outcomes.has(w.request.requestId)).map((w) => w.request.requestId);
        if (open.length === 0) continue;
        const rows = await ctx.withServiceDb(service.name, (c) => requestsById(c, open));
        for (const r of rows) if (r.outcome) outcomes.set(r.id, { outcome: r.outcome, error: r.error });
      }
      progress.update(outcomes.size);
      if (outcomes.size === written.length || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    progress.stop();
  }
  return written.map((w) => {
    const o = outcomes.get(w.request.requestId);
    return result(w.service, w.row, o?.outcome ?? 'pending', o?.error ?? null);
  });
}
