import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { BackgroundWorker } from '@paystate/service-runtime';
import type { OperationOutcome } from '../../domain/payment';
import { PaymentOperations, RecordResult } from '../operations/payment-operations';
import { PAYMENT_SETTINGS, PaymentSettings } from '../payment-settings';

/** The processor's webhook body, as far as we rely on it; other fields are tolerated. */
export const processorWebhookSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int(),
  sequence: z.number().int().optional(),
  data: z.object({
    operationId: z.string().optional(),
    reference: z.string().optional(),
    objectId: z.string().optional(),
    declineCode: z.string().optional(),
  }),
});
export type ProcessorWebhook = z.output<typeof processorWebhookSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a webhook says about the operation it names, or undefined when it says nothing we act on. */
export function outcomeOf(webhook: ProcessorWebhook): OperationOutcome | undefined {
  const [object, verb] = webhook.type.split('.');
  if (!object || !verb) return undefined;
  if (verb === 'succeeded' && webhook.data.objectId) return { result: 'succeeded', objectId: webhook.data.objectId };
  if (verb === 'declined' || verb === 'failed') {
    const code = webhook.data.declineCode ?? `${object}_${verb}`;
    return { result: 'failed', code, detail: `processor webhook ${webhook.type}` };
  }
  return undefined;
}

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
    private readonly operations: PaymentOperations,
    @Inject(PAYMENT_SETTINGS) settings: PaymentSettings,
  ) {
    super('applying webhooks', settings.resolverIntervalMs, new Logger(ProcessorWebhooks.name));
  }

  /** Stores a verified webhook; false when it was already stored (a duplicate delivery). */
  async receive(webhook: ProcessorWebhook, now: Date): Promise<boolean> {
    const operationId = webhook.data.operationId && UUID.test(webhook.data.operationId) ? webhook.data.operationId : null;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO processor_webhook (event_id, type, operation_id, sequence, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [webhook.id, webhook.type, operationId, webhook.sequence ?? null, JSON.stringify(webhook), now],
    );
    if (rows.length === 1) this.kick();
    return rows.length === 1;
  }

  /** Applies stored webhooks one per transaction, oldest first, until none is left. */
  protected async runOnce(): Promise<boolean> {
    while (await this.applyNext()) {
      // next
    }
    return false;
  }

  private async applyNext(): Promise<boolean> {
    let applied: RecordResult | 'not-actionable' | undefined;
    await this.dataSource.transaction(async (manager) => {
      const rows: { event_id: string; payload: ProcessorWebhook; operation_id: string | null }[] = await manager.query(
        `SELECT event_id, payload, operation_id FROM processor_webhook WHERE processed_at IS NULL
         ORDER BY received_at, event_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      const row = rows[0];
      if (!row) return;
      const now = new Date();
      const outcome = outcomeOf(row.payload);
      applied =
        outcome && row.operation_id
          ? await this.operations.recordOutcome(manager, row.operation_id, outcome, { id: row.event_id, type: 'processor-webhook' }, now)
          : 'not-actionable';
      await manager.query('UPDATE processor_webhook SET processed_at = $2, outcome = $3 WHERE event_id = $1', [row.event_id, now, applied]);
      this.logger.log({ webhookId: row.event_id, type: row.payload.type, operationId: row.operation_id, outcome: applied }, 'webhook applied');
    });
    if (applied === 'applied') this.operations.kick();
    return applied !== undefined;
  }
}
