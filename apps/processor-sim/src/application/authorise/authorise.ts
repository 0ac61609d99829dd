import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { AuthoriseCommand, authorise } from '../../domain/authorisation';
import { cardBehaviour } from '../../domain/test-cards';
import { PROCESSOR_CONFIG, ProcessorSimConfig } from '../../config/config';
import { AuthorisationStore } from '../../infrastructure/persistence/authorisation-store';
import { IdempotentOperations, OperationOutcome, OperationRequest } from '../operations/idempotent-operation';
import { authorisedBody, declinedBody } from '../operations/responses';

/** Authorises an amount on a test card: approved (201) or declined (402), recorded either way. */
@Injectable()
export class AuthoriseUseCase {
  constructor(
    private readonly operations: IdempotentOperations,
    private readonly authorisations: AuthorisationStore,
    @Inject(PROCESSOR_CONFIG) private readonly config: ProcessorSimConfig,
  ) {}

  execute(command: AuthoriseCommand, request: OperationRequest): Promise<OperationOutcome> {
    return this.operations.run(request, async (manager) => {
      const card = cardBehaviour(command.paymentMethod);
      // slow inside the transaction: the key stays claimed, so a retry meanwhile sees 409 in progress
      if (card.slow) await sleep(this.config.PROCESSOR_SLOW_MS);
      const decision = authorise(command, card, { authorisationId: `auth_${randomUUID()}`, now: new Date() });
      const auth = decision.authorisation;
      await this.authorisations.insert(manager, auth, request.idempotencyKey);
      const data = { operationId: request.idempotencyKey, reference: auth.reference, authorisationId: auth.id, objectId: auth.id, amount: auth.amount, currency: auth.currency };
      switch (decision.kind) {
        case 'authorised':
          return {
            reference: auth.reference,
            authorisationId: auth.id,
            objectId: auth.id,
            response: { status: 201, body: authorisedBody(auth) },
            event: { type: 'authorisation.succeeded', data },
          };
        case 'declined':
          return {
            reference: auth.reference,
            authorisationId: auth.id,
            objectId: auth.id,
            response: { status: 402, body: declinedBody(auth, decision.decline) },
            event: { type: 'authorisation.declined', data: { ...data, declineCode: decision.decline.declineCode } },
          };
      }
    });
  }
}
