import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemError, ZodBodyPipe } from '@paystate/service-runtime';
import { AuthoriseUseCase } from '../../application/authorise/authorise';
import { CaptureUseCase } from '../../application/capture/capture';
import { ProcessorLookups } from '../../application/lookups/processor-lookups';
import { RefundUseCase } from '../../application/refund/refund';
import { VoidAuthorisationUseCase } from '../../application/void/void-authorisation';
import { OperationName, requestFingerprint } from '../../domain/operation';
import { ApiKeyGuard, ClientId } from './api-key.guard';
import { OperationResponder, requireIdempotencyKey } from './operation-responder';
import { AmountRequest, AuthoriseRequest, amountRequest, authoriseRequest, requireReference, voidRequest } from './requests';

const AUTHORISATION_ID = /^auth_[0-9a-f-]{36}$/;

@Controller('v1/authorisations')
@UseGuards(ApiKeyGuard)
export class AuthorisationsController {
  constructor(
    private readonly responder: OperationResponder,
    private readonly authoriseUseCase: AuthoriseUseCase,
    private readonly captureUseCase: CaptureUseCase,
    private readonly voidUseCase: VoidAuthorisationUseCase,
    private readonly refundUseCase: RefundUseCase,
    private readonly lookups: ProcessorLookups,
  ) {}

  private request(operation: OperationName, clientId: string, key: string | undefined, path: string, body: unknown) {
    const idempotencyKey = requireIdempotencyKey(key);
    return { clientId, idempotencyKey, operation, fingerprint: requestFingerprint(operation, path, body) };
  }

  @Post()
  async authorise(
    @Body(new ZodBodyPipe(authoriseRequest)) body: AuthoriseRequest,
    @Headers('idempotency-key') key: string | undefined,
    @ClientId() clientId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const request = this.request('authorise', clientId, key, '/v1/authorisations', body);
    await this.responder.respond('authorise', req, res, () => this.authoriseUseCase.execute(body, request));
  }

  @Post(':id/capture')
  async capture(
    @Param('id') id: string,
    @Body(new ZodBodyPipe(amountRequest)) body: AmountRequest,
    @Headers('idempotency-key') key: string | undefined,
    @ClientId() clientId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const request = this.request('capture', clientId, key, `/v1/authorisations/${id}/capture`, body);
    await this.responder.respond('capture', req, res, () => this.captureUseCase.execute(id, body.amount, request));
  }

  @Post(':id/void')
  async void(
    @Param('id') id: string,
    @Body(new ZodBodyPipe(voidRequest)) body: object,
    @Headers('idempotency-key') key: string | undefined,
    @ClientId() clientId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const request = this.request('void', clientId, key, `/v1/authorisations/${id}/void`, body);
    await this.responder.respond('void', req, res, () => this.voidUseCase.execute(id, request));
  }

  @Post(':id/refunds')
  async refund(
    @Param('id') id: string,
    @Body(new ZodBodyPipe(amountRequest)) body: AmountRequest,
    @Headers('idempotency-key') key: string | undefined,
    @ClientId() clientId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const request = this.request('refund', clientId, key, `/v1/authorisations/${id}/refunds`, body);
    await this.responder.respond('refund', req, res, () => this.refundUseCase.execute(id, body.amount, request));
  }

  /** Every authorisation attempt for our reference, with its captures, voids and refunds. */
  @Get()
  async byReference(@Query('reference') reference: unknown): Promise<{ data: object[] }> {
    return { data: await this.lookups.authorisationsByReference(requireReference(reference)) };
  }

  @Get(':id')
  async byId(@Param('id') id: string): Promise<object> {
    const auth = AUTHORISATION_ID.test(id) ? await this.lookups.authorisationById(id) : undefined;
    if (!auth) throw ProblemError.of(404, 'not-found', 'Authorisation not found', `No authorisation ${id}.`, { code: 'resource_missing' });
    return auth;
  }
}
