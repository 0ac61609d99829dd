import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OperationName } from '../../domain/operation';
import { AuthorisationStore } from '../../infrastructure/persistence/authorisation-store';
import { OperationStore, StoredOperation } from '../../infrastructure/persistence/operation-store';
import { WebhookDeliveryQueue } from '../../infrastructure/persistence/webhook-delivery-queue';
import { authorisationBody, captureBody, refundBody, voidBody } from '../operations/responses';

export interface OperationView {
  idempotencyKey: string;
  operation: OperationName;
  status: number;
  body: unknown;
  reference: string;
  authorisationId: string;
  objectId: string | null;
  createdAt: string;
}

const operationView = (op: StoredOperation): OperationView => ({
  idempotencyKey: op.idempotencyKey,
  operation: op.operation,
  status: op.responseStatus,
  body: JSON.parse(op.responseBody) as unknown,
  reference: op.reference,
  authorisationId: op.authorisationId,
  objectId: op.objectId,
  createdAt: op.createdAt.toISOString(),
});

/** Read side of the processor: what a client (or a test, through /admin) can look up. */
@Injectable()
export class ProcessorLookups {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly operations: OperationStore,
    private readonly authorisations: AuthorisationStore,
    private readonly webhooks: WebhookDeliveryQueue,
  ) {}

  /** What the request with this key did, if it was ever executed: the way out of a lost response. */
  async operationByKey(clientId: string, key: string): Promise<OperationView | undefined> {
    const op = await this.operations.find(this.dataSource.manager, clientId, key);
    return op ? operationView(op) : undefined;
  }

  /** Every authorisation attempt for a reference (declines included), each with its captures, voids and refunds. */
  async authorisationsByReference(reference: string): Promise<object[]> {
    const manager = this.dataSource.manager;
    const auths = await this.authorisations.ofReference(manager, reference);
    const ids = auths.map((a) => a.id);
    const [captures, voids, refunds] = await Promise.all([
      this.authorisations.movementsOf(manager, 'captures', ids),
      this.authorisations.movementsOf(manager, 'voids', ids),
      this.authorisations.movementsOf(manager, 'refunds', ids),
    ]);
    return auths.map((a) => ({
      ...authorisationBody(a),
      captures: captures.filter((m) => m.authorisationId === a.id).map(captureBody),
      voids: voids.filter((m) => m.authorisationId === a.id).map(voidBody),
      refunds: refunds.filter((m) => m.authorisationId === a.id).map(refundBody),
    }));
  }

  async authorisationById(id: string): Promise<object | undefined> {
    const auth = await this.authorisations.find(this.dataSource.manager, id);
    if (!auth) return undefined;
    return (await this.authorisationsByReference(auth.reference)).find((a) => (a as { id: string }).id === id);
  }

  /** Ground truth for tests: counts of what happened for a reference and every operation executed for it. */
  async records(reference: string): Promise<{ reference: string; counts: Record<string, number>; operations: OperationView[]; authorisations: object[] }> {
    const manager = this.dataSource.manager;
    const [counts, operations, authorisations] = await Promise.all([
      this.authorisations.recordCounts(manager, reference),
      this.operations.ofReference(manager, reference),
      this.authorisationsByReference(reference),
    ]);
    return { reference, counts, operations: operations.map(operationView), authorisations };
  }

  /** Webhook deliveries of a reference with their attempts and status, each with the event it carries. */
  async webhookDeliveries(reference: string): Promise<object[]> {
    const deliveries = await this.webhooks.ofReference(this.dataSource.manager, reference);
    return deliveries.map(({ payload, ...d }) => ({ ...d, event: JSON.parse(payload) as unknown }));
  }
}
