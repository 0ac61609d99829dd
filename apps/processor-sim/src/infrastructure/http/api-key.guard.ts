import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemError } from '@paystate/service-runtime';
import { PROCESSOR_CONFIG, ProcessorSimConfig } from '../../config/config';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

type AuthenticatedRequest = Request & { processorClientId?: string };

/**
 * `Authorization: Bearer <PROCESSOR_API_KEY>` on every /v1 call, compared in constant time. The
 * client id (a digest of the key, never the key) scopes idempotency keys and look-ups.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;
  private readonly clientId: string;

  constructor(@Inject(PROCESSOR_CONFIG) config: ProcessorSimConfig) {
    this.expected = sha256(config.PROCESSOR_API_KEY);
    this.clientId = `client_${this.expected.toString('hex').slice(0, 16)}`;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !timingSafeEqual(sha256(match[1]), this.expected)) {
      throw new ProblemError(
        ProblemError.of(401, 'unauthorised', 'Unauthorised', 'Send Authorization: Bearer <API key>.', { code: 'unauthorised' }).problem,
        { 'WWW-Authenticate': 'Bearer realm="processor-sim"' },
      );
    }
    request.processorClientId = this.clientId;
    return true;
  }
}

/** The authenticated client's id (set by ApiKeyGuard). */
export const ClientId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const id = context.switchToHttp().getRequest<AuthenticatedRequest>().processorClientId;
  if (!id) throw new Error('ClientId used on a route without ApiKeyGuard');
  return id;
});
