import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decideRefund } from '../../domain/authorisation';
import { cardBehaviour } from '../../domain/test-cards';
import { AuthorisationStore, MovementRecord } from '../../infrastructure/persistence/authorisation-store';
import { IdempotentOperations, OperationOutcome, OperationRequest } from '../operations/idempotent-operation';
import { operationFailedBody, refundBody, rejectionResponse } from '../operations/responses';

/** Refunds a captured authorisation (what is left of the capture unless an amount is given); a failing test card records a failed attempt (402). */
@Injectable()
export class RefundUseCase {
  constructor(
    private readonly operations: IdempotentOperations,
    private readonly authorisations: AuthorisationStore,
  ) {}

  execute(authorisationId: string, amount: number | undefined, request: OperationRequest): Promise<OperationOutcome> {
    return this.operations.run(request, async (manager) => {
      const auth = await this.authorisations.lock(manager, authorisationId);
      if (!auth) return 'authorisation-not-found';
      const decision = decideRefund(auth, amount, cardBehaviour(auth.paymentMethod));
      const base = { reference: auth.reference, authorisationId: auth.id };
      if (decision.kind === 'rejected') return { ...base, objectId: null, response: rejectionResponse(auth, decision.rejection) };
      const now = new Date();
      const refund: MovementRecord = {
        id: `ref_${randomUUID()}`,
        authorisationId: auth.id,
        reference: auth.reference,
        amount: decision.amount,
        currency: auth.currency,
        status: decision.kind === 'refunded' ? 'succeeded' : 'failed',
        operationKey: request.idempotencyKey,
        createdAt: now,
      };
      await this.authorisations.insertMovement(manager, 'refunds', refund);
      const data = { operationId: request.idempotencyKey, ...base, objectId: refund.id, amount: refund.amount, currency: refund.currency };
      if (decision.kind === 'refund-failed') {
        return { ...base, objectId: refund.id, response: { status: 402, body: operationFailedBody('refund_failed', refund) }, event: { type: 'refund.failed', data } };
      }
      await this.authorisations.update(manager, auth.status, decision.next, now);
      return { ...base, objectId: refund.id, response: { status: 200, body: refundBody(refund) }, event: { type: 'refund.succeeded', data } };
    });
  }
}
