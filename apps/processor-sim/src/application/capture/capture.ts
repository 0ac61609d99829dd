import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decideCapture } from '../../domain/authorisation';
import { cardBehaviour } from '../../domain/test-cards';
import { AuthorisationStore, MovementRecord } from '../../infrastructure/persistence/authorisation-store';
import { IdempotentOperations, OperationOutcome, OperationRequest } from '../operations/idempotent-operation';
import { captureBody, operationFailedBody, rejectionResponse } from '../operations/responses';

/** Captures an authorisation (all of it unless an amount is given); a failing test card records a failed attempt (402). */
@Injectable()
export class CaptureUseCase {
  constructor(
    private readonly operations: IdempotentOperations,
    private readonly authorisations: AuthorisationStore,
  ) {}

  execute(authorisationId: string, amount: number | undefined, request: OperationRequest): Promise<OperationOutcome> {
    return this.operations.run(request, async (manager) => {
      const auth = await this.authorisations.lock(manager, authorisationId);
      if (!auth) return 'authorisation-not-found';
      const decision = decideCapture(auth, amount, cardBehaviour(auth.paymentMethod));
      const base = { reference: auth.reference, authorisationId: auth.id };
      if (decision.kind === 'rejected') return { ...base, objectId: null, response: rejectionResponse(auth, decision.rejection) };
      const now = new Date();
      const capture: MovementRecord = {
        id: `cap_${randomUUID()}`,
        authorisationId: auth.id,
        reference: auth.reference,
        amount: decision.amount,
        currency: auth.currency,
        status: decision.kind === 'captured' ? 'succeeded' : 'failed',
        operationKey: request.idempotencyKey,
        createdAt: now,
      };
      await this.authorisations.insertMovement(manager, 'captures', capture);
      const data = { operationId: request.idempotencyKey, ...base, objectId: capture.id, amount: capture.amount, currency: capture.currency };
      if (decision.kind === 'capture-failed') {
        return { ...base, objectId: capture.id, response: { status: 402, body: operationFailedBody('capture_failed', capture) }, event: { type: 'capture.failed', data } };
      }
      await this.authorisations.update(manager, auth.status, decision.next, now);
      return { ...base, objectId: capture.id, response: { status: 200, body: captureBody(capture) }, event: { type: 'capture.succeeded', data } };
    });
  }
}
