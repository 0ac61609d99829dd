import {
  CallHandler,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { Request, Response } from 'express';
import { Observable, catchError, concatMap, from, of, throwError } from 'rxjs';
import { apiClientOf } from '../api-keys/api-key.guard';
import { ProblemError } from '../problem-details';
import { IDEMPOTENCY_KEY_HEADER, readIdempotencyKey, requestFingerprint, routeTemplate } from './idempotency-key';
import { IdempotencyClaim, IdempotencyStore } from './idempotency.store';
import { sendIdempotentResponse } from './idempotent-response';

const IDEMPOTENT_ROUTE = 'paystate:idempotent';
const claims = new WeakMap<object, IdempotencyClaim>();

/**
 * Marks a state-changing route as idempotent (SPEC §5). The handler must:
 * - take `@Res()` and send its response with sendIdempotentResponse (the stored body is the sent body);
 * - complete the claim (`@CurrentIdempotencyClaim()`) with completeIdempotencyKey INSIDE its business
 *   transaction, or with IdempotencyStore.completeAlone for a business refusal without effects;
 * - throw for everything that must not be stored (validation 400s, 5xx …): the key is then released.
 * Needs ApiKeyGuard (the key's scope is the authenticated client) and IdempotencyModule.
 */
export const Idempotent = () => applyDecorators(SetMetadata(IDEMPOTENT_ROUTE, true), UseInterceptors(IdempotencyInterceptor));

/** Handler parameter: this request's claim on its idempotency key. */
export const CurrentIdempotencyClaim = createParamDecorator((_data: unknown, ctx: ExecutionContext): IdempotencyClaim => {
  const claim = claims.get(ctx.switchToHttp().getRequest<object>());
  if (!claim) throw new Error('@CurrentIdempotencyClaim() on a route without @Idempotent()');
  return claim;
});

/**
 * Runs after the guards (so 401/403 never touch a key) and before the pipes (so a validation 400
 * happens after the claim: it is released like every other thrown error).
 *   header missing, empty, repeated, > 255 → 400 (nothing stored)
 *   claim: completed + same fingerprint → the stored status and body, byte-identical, `Idempotent-Replayed: true`
 *          other fingerprint → 422; in progress under a live lease → 409 + Retry-After (nothing stored)
 *          new, or an abandoned claim whose lease lapsed → the handler runs
 *   the handler throws → the key is released before the error response goes out, so an
 *   immediate retry with the same key runs again (and finds no half-done work: the completion
 *   commits with the effects or not at all).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(private readonly store: IdempotencyStore) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const client = apiClientOf(req);
    if (!client) throw new Error('@Idempotent() route without an authenticated client: ApiKeyGuard must protect it');

    const reading = readIdempotencyKey(req.headersDistinct[IDEMPOTENCY_KEY_HEADER]);
    if (!reading.ok) throw reading.problem;
    const route = routeTemplate(
      Reflect.getMetadata(PATH_METADATA, context.getClass()) as string | undefined,
      Reflect.getMetadata(PATH_METADATA, context.getHandler()) as string | undefined,
    );
    const fingerprint = requestFingerprint(req.method, route, req.body);

    const outcome = await this.store.claim({ clientId: client.clientId, key: reading.key, fingerprint });
    switch (outcome.kind) {
      case 'replay':
        sendIdempotentResponse(res, outcome.response, { replayed: true });
        return of(undefined);
      case 'fingerprint-mismatch':
        throw ProblemError.of(
          422,
          'idempotency-key-reuse',
          'Idempotency-Key is already used',
          'This Idempotency-Key was used with a different request (method, route or body). Use a new key for a new request.',
        );
      case 'in-progress':
        throw new ProblemError(
          {
            type: 'https://paystate.dev/problems/idempotency-request-in-progress',
            title: 'A request is outstanding for this Idempotency-Key',
            status: 409,
            detail: 'The first request with this Idempotency-Key is still running; retry with the same key shortly.',
          },
          { 'Retry-After': '1' },
        );
      case 'claimed':
        break;
    }

    const claim = outcome.claim;
    if (claim.tookOver) this.logger.warn({ clientId: claim.clientId, key: claim.key }, 'took over an idempotency key whose lease had lapsed');
    claims.set(req, claim);
    return next.handle().pipe(
      catchError((error: unknown) => from(this.release(claim)).pipe(concatMap(() => throwError(() => error)))),
      concatMap(async (value: unknown) => {
        if (!claim.completed) {
          // a handler bug: without a stored response a retry would run again
          this.logger.error({ clientId: claim.clientId, key: claim.key }, 'an @Idempotent() handler returned without completing its key');
          await this.release(claim);
        }
        return value;
      }),
    );
  }

  /** A failed release is logged, not thrown: the lease lapses and the next retry takes the key over. */
  private async release(claim: IdempotencyClaim): Promise<void> {
    try {
      await this.store.release(claim);
    } catch (error) {
      this.logger.error({ err: error, clientId: claim.clientId, key: claim.key }, 'could not release an idempotency key; it frees itself when its lease lapses');
    }
  }
}
