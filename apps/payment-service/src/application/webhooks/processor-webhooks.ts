import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { BackgroundWorker } from '@paystate/service-runtime';
import { Counter, register } from 'prom-client';
import type { OperationOutcome, OperationType } from '../../domain/payment';
import type { ProcessorReport } from '../../domain/processor-report';
import { PaymentStore } from '../../infrastructure/persistence/payment-store';
import { IgnoredReason, PaymentOperations, RecordResult } from '../operations/payment-operations';
import { PAYMENT_SETTINGS, PaymentSettings } from '../payment-settings';

/**
 * The processor's webhook envelope. Its `data` is read per type (`readReport`): a body we do not
 * understand is still acknowledged and recorded as ignored, so the processor stops delivering it.
 */
export const processorWebhookSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int(),
  sequence: z.number().int().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type ProcessorWebhook = z.output<typeof processorWebhookSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which operation each kind of report is about; any other type is not about an operation of ours. */
const OPERATION_OF: Readonly<Record<string, OperationType>> = { authorisation: 'AUTHORISE', capture: 'CAPTURE', void: 'VOID', refund: 'REFUND' };

const reportData = z.object({
  operationId: z.string().regex(UUID),
  reference: z.string().min(1),
  objectId: z.string().min(1).optional(),
  authorisationId: z.string().min(1).optional(),
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  declineCode: z.string().min(1).optional(),
});

export type WebhookReading = { operationId: string; report: ProcessorReport } | { ignored: Extract<IgnoredReason, 'unknown-type' | 'malformed'>; detail: string };

/**
 * What a webhook reports, and about which operation: `authorisation.succeeded|declined|failed`,
 * `capture|void|refund.succeeded|failed`, with the operation (our Idempotency-Key), the payment
 * (reference), the amount and currency; anything else is ignored with a reason.
 */
export function readReport(webhook: ProcessorWebhook): WebhookReading {
  const [object = '', verb = '', ...rest] = webhook.type.split('.');
  const operationType = OPERATION_OF[object];
  const failure = verb === 'failed' || (verb === 'declined' && operationType === 'AUTHORISE');
  if (!operationType || rest.length > 0 || (verb !== 'succeeded' && !failure)) {
    return { ignored: 'unknown-type', detail: `${webhook.type} is not a report of an operation's outcome` };
  }
  const data = reportData.safeParse(webhook.data);
  if (!data.success) return { ignored: 'malformed', detail: data.error.issues.map((i) => `data.${i.path.join('.')}: ${i.message}`).join('; ') };
  const d = data.data;
  if (!failure && !d.objectId) return { ignored: 'malformed', detail: `${webhook.type} without data.objectId` };
  const outcome: OperationOutcome = failure
    ? { result: 'failed', code: d.declineCode ?? `${object}_${verb}`, detail: `processor webhook ${webhook.type}` }
    : { result: 'succeeded', objectId: d.objectId! };
  return {
    operationId: d.operationId,
    report: { operationType, outcome, reference: d.reference, amount: d.amount, currency: d.currency, authorisationId: d.authorisationId },
  };
}

const failedWebhooks =
  (register.getSingleMetric('paystate_webhooks_failed_total') as Counter | undefined) ??
  new Counter({ name: 'paystate_webhooks_failed_total', help: 'Attempts to apply a stored webhook that failed and were put back (alert on any increase)' });

const ignoredWebhooks =
  (register.getSingleMetric('paystate_webhooks_ignored_total') as Counter<'reason'> | undefined) ??
  new Counter({ name: 'paystate_webhooks_ignored_total', help: 'Signed processor webhooks acknowledged but not applied, by reason', labelNames: ['reason'] });

/**
 * Webhooks are stored as they arrive (the controller answers 200 only once the row is committed)
 * and applied here, asynchronously, oldest first. A duplicate never reaches this (its event id is
 * the primary key); an older event after a newer one, or a webhook that reports what our own call
 * already recorded, finds its operation settled and changes nothing.
 */
@Injectable()
export class ProcessorWebhooks extends BackgroundWorker {
  private readonly logger = new Logger(ProcessorWebhooks.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: PaymentStore,
    private readonly operations: PaymentOperations,
    @Inject(PAYMENT_SETTINGS) settings: PaymentSettings,
  ) {
    super('applying webhooks', settings.resolverIntervalMs, new Logger(ProcessorWebhooks.name));
  }

  /** Stores a verified webhook; false when it was already stored (a duplicate delivery). */
  async receive(webhook: ProcessorWebhook, now: Date): Promise<boolean> {
    const named = webhook.data['operationId'];
    const operationId = typeof named === 'string' && UUID.test(named) ? named : null;
    const stored = await this.store.storeWebhook(
      this.dataSource.manager,
      { eventId: webhook.id, type: webhook.type, operationId, sequence: webhook.sequence ?? null, payload: JSON.stringify(webhook) },
      now,
    );
    if (stored) this.kick();
    return stored;
  }

  /** Applies stored webhooks one per transaction, oldest first, until none is left. */
  protected async runOnce(): Promise<boolean> {
    await this.applyPending();
    return false;
  }

  /** Applies every stored webhook not applied yet; returns how many. */
  async applyPending(): Promise<number> {
    let n = 0;
    while (await this.applyNext()) n++;
    return n;
  }

  /**
   * Applies the oldest due webhook in its own transaction; false when none is due. One that cannot
   * be applied (a bug, a broken invariant) is put back with a backoff and its error, so it never
   * blocks the ones behind it; it is retried until it applies, and an alert counts it.
   */
  private async applyNext(): Promise<boolean> {
    let result: RecordResult | undefined;
    let claimed: string | undefined;
    try {
      await this.dataSource.transaction(async (manager) => {
        const now = new Date();
        const row = await this.store.lockNextWebhook(manager, now);
        if (!row) return;
        claimed = row.eventId;
        // receive() stored it only once processorWebhookSchema had accepted it
        const payload = row.payload as ProcessorWebhook;
        const reading = readReport(payload);
        result =
          'ignored' in reading
            ? { outcome: 'ignored', reason: reading.ignored, detail: reading.detail }
            : await this.operations.recordOutcome(manager, reading.operationId, reading.report.outcome, { id: row.eventId, type: 'processor-webhook' }, now, reading.report);
        const ignored = result.outcome === 'ignored' ? result : undefined;
        await this.store.markWebhookProcessed(manager, row.eventId, result.outcome, ignored?.reason ?? null, now);
        const log = { webhookId: row.eventId, type: payload.type, operationId: 'ignored' in reading ? undefined : reading.operationId, outcome: result.outcome, ...(ignored ? { reason: ignored.reason, detail: ignored.detail } : {}) };
        if (ignored) {
          ignoredWebhooks.inc({ reason: ignored.reason });
          this.logger.warn(log, 'webhook ignored: it changes nothing');
        } else {
          this.logger.log(log, 'webhook applied');
        }
      });
    } catch (error) {
      if (!claimed) throw error;
      await this.putBack(claimed, error);
      return true;
    }
    if (result?.outcome === 'applied') this.operations.kick();
    return result !== undefined;
  }

  private async putBack(eventId: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const attempts = await this.store.putWebhookBack(this.dataSource.manager, eventId, message);
    failedWebhooks.inc();
    this.logger.error({ webhookId: eventId, attempts, err: error }, 'webhook could not be applied; retried later, the others go on');
  }
}
