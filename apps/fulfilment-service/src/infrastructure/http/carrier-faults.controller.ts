import { Body, Controller, Delete, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import {
  ApiClient,
  CallingClient,
  CurrentIdempotencyClaim,
  Idempotent,
  IdempotencyClaim,
  RequireScopes,
  ZodBodyPipe,
  jsonResponse,
  sendIdempotentResponse,
} from '@paystate/service-runtime';
import { CarrierFaultInjection } from '../../application/carrier-faults/carrier-faults';
import type { CarrierFaults } from '../../domain/carrier';
import { FULFILMENT_SCOPES } from './scopes';

export const faultRequest = z
  .strictObject({
    failNext: z.number().int('must be an integer').min(0, 'must not be negative').max(1_000_000).optional(),
    failRate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  })
  .refine((b) => b.failNext !== undefined || b.failRate !== undefined, { message: 'give failNext and/or failRate' });

/** Operator fault injection for the simulated carrier (tests and demos of C4). */
@Controller('admin/carrier/faults')
export class CarrierFaultsController {
  constructor(private readonly faults: CarrierFaultInjection) {}

  @Get()
  @RequireScopes(FULFILMENT_SCOPES.stockRead)
  current(): Promise<CarrierFaults> {
    return this.faults.current();
  }

  /**
   * `{"failNext": n}` fails the next n hand-overs; `{"failRate": 0..1}` fails each with that
   * probability. Idempotent (SPEC §5): the same key replays the stored answer.
   */
  @Post()
  @RequireScopes(FULFILMENT_SCOPES.stockWrite)
  @Idempotent()
  async inject(
    @Body(new ZodBodyPipe(faultRequest)) body: z.output<typeof faultRequest>,
    @CallingClient() client: ApiClient,
    @CurrentIdempotencyClaim() claim: IdempotencyClaim,
    @Res() res: Response,
  ): Promise<void> {
    const change = { ...(body.failNext !== undefined ? { failNext: body.failNext } : {}), ...(body.failRate !== undefined ? { failRate: body.failRate } : {}) };
    const response = await this.faults.inject(change, client.clientId, new Date(), { claim, respond: (faults) => jsonResponse(200, faults) });
    sendIdempotentResponse(res, response);
  }

  @Delete()
  @RequireScopes(FULFILMENT_SCOPES.stockWrite)
  clear(@CallingClient() client: ApiClient): Promise<CarrierFaults> {
    return this.faults.clear(client.clientId, new Date());
  }
}
