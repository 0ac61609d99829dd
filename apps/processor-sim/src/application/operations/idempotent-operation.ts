import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { OperationName } from '../../domain/operation';
import type { WebhookEventData, WebhookEventType } from '../../domain/webhook-event';
import { OperationStore } from '../../infrastructure/persistence/operation-store';
import { WebhookDeliveryQueue } from '../../infrastructure/persistence/webhook-delivery-queue';
import { enqueueWebhook } from '../webhooks/enqueue-webhook';
import { WebhookModeSetting } from '../webhooks/webhook-mode';

export interface OperationRequest {
  /** Who is calling (derived from the API key): keys are scoped per client. */
  clientId: string;
  idempotencyKey: string;
  operation: OperationName;
  fingerprint: string;
}

/** A response as stored and sent: status and the exact body text. */
export interface StoredResponse {
  status: number;
  body: string;
}

/** What an operation did, to be stored under its key and committed with its records. */
export interface ExecutedOperation {
  reference: string;
  authorisationId: string;
  /** The authorisation, capture, void or refund created; null when the call was refused (409 invalid_state, 400 amount_too_large). */
  objectId: string | null;
  response: { status: number; body: object };
  /** The webhook event to send, when something happened at the processor. */
  event?: { type: WebhookEventType; data: WebhookEventData };
}

export type OperationOutcome =
  | { kind: 'executed'; response: StoredResponse }
  | { kind: 'replayed'; response: StoredResponse }
  | { kind: 'in-progress' }
  | { kind: 'key-reused'; operation: OperationName }
  | { kind: 'authorisation-not-found' };

export type OperationWork = (manager: EntityManager) => Promise<ExecutedOperation | 'authorisation-not-found'>;

/**
 * The processor's own idempotency, as Stripe's: the key is claimed for the transaction (a
 * concurrent request with it gets `in-progress` at once), a finished key replays its stored
 * response, a key reused for another request is refused, and a first request's records, its
 * stored response and its webhook commit in one transaction. A crash or an error rolls all of it
 * back, so a retry with the same key executes as if for the first time: never twice.
 */
@Injectable()
export class IdempotentOperations {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly webhookMode: WebhookModeSetting,
    private readonly store: OperationStore,
    private readonly webhooks: WebhookDeliveryQueue,
  ) {}

  run(request: OperationRequest, work: OperationWork): Promise<OperationOutcome> {
    return this.dataSource.transaction(async (manager): Promise<OperationOutcome> => {
      if (!(await this.store.tryLockKey(manager, request.clientId, request.idempotencyKey))) return { kind: 'in-progress' };
      const stored = await this.store.find(manager, request.clientId, request.idempotencyKey);
      if (stored) {
        if (stored.fingerprint !== request.fingerprint) return { kind: 'key-reused', operation: stored.operation };
        return { kind: 'replayed', response: { status: stored.responseStatus, body: stored.responseBody } };
      }
      const executed = await work(manager);
      if (executed === 'authorisation-not-found') return { kind: 'authorisation-not-found' };
      const now = new Date();
      const response: StoredResponse = { status: executed.response.status, body: JSON.stringify(executed.response.body) };
      await this.store.insert(manager, request.clientId, {
        idempotencyKey: request.idempotencyKey,
        operation: request.operation,
        fingerprint: request.fingerprint,
        reference: executed.reference,
        authorisationId: executed.authorisationId,
        objectId: executed.objectId,
        responseStatus: response.status,
        responseBody: response.body,
        createdAt: now,
      });
      if (executed.event) await enqueueWebhook(this.webhooks, manager, executed.event, now, this.webhookMode.current);
      return { kind: 'executed', response };
    });
  }
}
