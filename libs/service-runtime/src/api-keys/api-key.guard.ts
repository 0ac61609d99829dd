import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { HealthController } from '../health';
import { MetricsController } from '../metrics';
import { ProblemError } from '../problem-details';
import { ApiClient, authenticateApiKey } from './api-key.store';

const REQUIRED_SCOPES = 'paystate:required-scopes';
const PUBLIC_ENDPOINT = 'paystate:public-endpoint';

/** Probes and scrapers are not clients: GET /health and GET /metrics stay open (SPEC §5). */
const OPEN_CONTROLLERS: ReadonlySet<unknown> = new Set([HealthController, MetricsController]);

/** The route (or every route of a controller) needs a key carrying all of these scopes. */
export const RequireScopes = (...scopes: string[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/** The route authenticates some other way (e.g. a webhook signature) or not at all. */
export const PublicEndpoint = () => SetMetadata(PUBLIC_ENDPOINT, true);

const clients = new WeakMap<object, ApiClient>();

/** The authenticated client of a request (set by ApiKeyGuard), if any. */
export const apiClientOf = (req: object): ApiClient | undefined => clients.get(req);

/** Handler parameter: the authenticated client. */
export const CallingClient = createParamDecorator((_data: unknown, ctx: ExecutionContext): ApiClient => {
  const client = apiClientOf(ctx.switchToHttp().getRequest<Request>());
  if (!client) throw new Error('@CallingClient() on a route that ApiKeyGuard does not protect');
  return client;
});

const REALM = 'Bearer realm="paystate"';

const unauthorized = (detail: string, error?: 'invalid_token'): ProblemError =>
  new ProblemError(
    { type: 'https://paystate.dev/problems/unauthorized', title: 'Authentication required', status: 401, detail },
    { 'WWW-Authenticate': error ? `${REALM}, error="${error}"` : REALM },
  );

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Deny by default: every route needs `Authorization: Bearer <api key>` of a live key, except the
 * health and metrics controllers and routes marked @PublicEndpoint(). Missing, unknown or revoked
 * key → 401 with `WWW-Authenticate`; a key without a scope named by @RequireScopes → 403.
 * Registered as a global guard by ApiKeysModule; guards run before interceptors, so a 401/403
 * never touches an idempotency key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka handlers are not API calls
    if (OPEN_CONTROLLERS.has(context.getClass())) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ENDPOINT, targets)) return true;

    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization;
    if (!header) throw unauthorized('Send Authorization: Bearer <api key>.');
    const token = bearerToken(header);
    if (!token) throw unauthorized('The Authorization header must be "Bearer <api key>".', 'invalid_token');
    const client = await authenticateApiKey(this.dataSource.manager, token);
    if (!client) throw unauthorized('The API key is not valid (unknown or revoked).', 'invalid_token');

    const required = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((s) => !client.scopes.includes(s));
    if (missing.length > 0) {
      throw new ProblemError(
        { type: 'https://paystate.dev/problems/insufficient-scope', title: 'Insufficient scope', status: 403, detail: `This API key lacks the scope(s) ${missing.join(', ')}.` },
        { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${required.join(' ')}"` },
      );
    }
    clients.set(req, client);
    return true;
  }
}
