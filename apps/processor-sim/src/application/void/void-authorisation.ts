import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decideVoid } from '../../domain/authorisation';
import { cardBehaviour } from '../../domain/test-cards';
import { AuthorisationStore, MovementRecord } from '../../infrastructure/persistence/authorisation-store';
import { IdempotentOperations, OperationOutcome, OperationRequest } from '../operations/idempotent-operation';
import { operationFailedBody, rejectionResponse, voidBody } from '../operations/responses';

/** Voids (cancels) an authorisation that is not captured; a failing test card records a failed attempt (402). */
@Injectable()
export class VoidAuthorisationUseCase {
  constructor(
    private readonly operations: IdempotentOperations,
    private readonly authorisations: AuthorisationStore,
  ) {}

  execute(authorisationId: string, request: OperationRequest): Promise<OperationOutcome> {
    return this.operations.run(request, async (manager) => {
      const auth = await this.authorisations.lock(manager, authorisationId);
      if (!auth) return 'authorisation-not-found';
      const decision = decideVoid(auth, cardBehaviour(auth.paymentMethod));
      const base = { reference: auth.reference, authorisationId: auth.id };
      if (decision.kind === 'rejected') return { ...base, objectId: null, response: rejectionResponse(auth, decision.rejection) };
      const now = new Date();
      const voided: MovementRecord = {
        id: `void_${randomUUID()}`,
        authorisationId: auth.id,
        reference: auth.reference,
        amount: auth.amount,
        currency: auth.currency,
        status: decision.kind === 'voided' ? 'succeeded' : 'failed',
        operationKey: request.idempotencyKey,
        createdAt: now,
      };
      await this.authorisations.insertMovement(manager, 'voids', voided);
      const data = { operationId: request.idempotencyKey, ...base, objectId: voided.id, amount: voided.amount, currency: voided.currency };
      if (decision.kind === 'void-failed') {
        return { ...base, objectId: voided.id, response: { status: 402, body: operationFailedBody('void_failed', voided) }, event: { type: 'void.failed', data } };
      }
      await this.authorisations.update(manager, auth.status, decision.next, now);
      return { ...base, objectId: voided.id, response: { status: 200, body: voidBody(voided) }, event: { type: 'void.succeeded', data } };
    });
  }
}
