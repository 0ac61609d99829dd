import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemError } from '@paystate/service-runtime';
import { FaultInjection } from '../../application/faults/fault-injection';
import type { OperationOutcome, StoredResponse } from '../../application/operations/idempotent-operation';
import type { OperationName } from '../../domain/operation';
import { HeldResponses } from './held-responses';

const MAX_KEY_LENGTH = 255;

/** `Idempotency-Key` is required on every POST under /v1: 1 to 255 characters (Stripe's limit). */
export function requireIdempotencyKey(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw ProblemError.of(400, 'idempotency-key-missing', 'Idempotency-Key is missing', 'Send an Idempotency-Key header (1 to 255 characters) with every POST.', {
      code: 'idempotency_key_missing',
    });
  }
  if (header.length > MAX_KEY_LENGTH) {
    throw ProblemError.of(400, 'idempotency-key-invalid', 'Idempotency-Key is invalid', `The key is longer than ${MAX_KEY_LENGTH} characters.`, {
      code: 'idempotency_key_invalid',
    });
  }
  return header;
}

/**
 * Runs one of the four operations behind the injected faults and answers it: the stored response
 * (plus `Idempotent-Replayed: true` on a replay), or a problem that is not stored (409 in progress,
 * 422 key reuse, 404). Faults apply first, as a load balancer or rate limiter in front of the API
 * would, except `drop-response`, which executes and commits and only then loses the answer.
 */
@Injectable()
export class OperationResponder {
  private readonly logger = new Logger('Faults');

  constructor(
    private readonly faults: FaultInjection,
    private readonly held: HeldResponses,
  ) {}

  async respond(operation: OperationName, req: Request, res: Response, run: () => Promise<OperationOutcome>): Promise<void> {
    const fault = this.faults.next(operation);
    if (fault) this.logger.log({ faultId: fault.id, kind: fault.kind, operation }, 'injecting a fault');
    switch (fault?.kind) {
      case undefined:
      case 'drop-response':
        break;
      case 'latency':
        await sleep(fault.latencyMs);
        break;
      case 'timeout':
        // never answer and never execute: the client times out not knowing (and nothing happened)
        this.held.hold(req.socket);
        return;
      case 'error500':
        throw ProblemError.of(500, 'injected-fault', 'Internal server error', 'An injected fault: nothing was executed; retry with the same Idempotency-Key.', {
          code: 'processing_error',
        });
      case 'error429':
        throw new ProblemError(
          ProblemError.of(429, 'rate-limited', 'Too many requests', 'An injected fault: nothing was executed; retry after the delay.', { code: 'rate_limited' }).problem,
          { 'Retry-After': '1' },
        );
    }
    const outcome = await run();
    if (fault?.kind === 'drop-response') {
      // executed and committed; the answer is lost on the way back (the client sees the socket close)
      req.socket.destroy();
      return;
    }
    switch (outcome.kind) {
      case 'executed':
        return send(res, outcome.response, false);
      case 'replayed':
        return send(res, outcome.response, true);
      case 'in-progress':
        throw new ProblemError(
          ProblemError.of(409, 'request-in-progress', 'A request with this Idempotency-Key is in progress', 'Retry with the same key once it has finished.', {
            code: 'request_in_progress',
          }).problem,
          { 'Retry-After': '1' },
        );
      case 'key-reused':
        throw ProblemError.of(422, 'idempotency-key-reuse', 'Idempotency-Key is already used', `The key was used for another request (${outcome.operation} with other parameters); use a new key for a new request.`, {
          code: 'idempotency_key_reuse',
        });
      case 'authorisation-not-found':
        throw ProblemError.of(404, 'not-found', 'Authorisation not found', `No authorisation ${String(req.params['id'] ?? '')}.`, { code: 'resource_missing' });
    }
  }
}

function send(res: Response, response: StoredResponse, replayed: boolean): void {
  res
    .status(response.status)
    .set({
      'Content-Type': response.status >= 400 ? 'application/problem+json' : 'application/json',
      ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    })
    .send(response.body);
}
