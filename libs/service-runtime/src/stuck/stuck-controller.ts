import { Body, Get, Inject, Param, ParseUUIDPipe, Post, Query, Res, Type } from '@nestjs/common';
import type { Response } from 'express';
import { ApiClient, CallingClient, RequireScopes } from '../api-keys';
import { CurrentIdempotencyClaim, Idempotent, IdempotencyClaim, sendIdempotentResponse } from '../idempotency';
import { ZodBodyPipe } from '../zod-body.pipe';
import { AcknowledgeRequest, acknowledgeAnswer, acknowledgeRequest, includeAcknowledgedParam } from './stuck-http';
import type { StuckView } from './stuck-reports';
import type { StuckSagaMonitor } from './stuck-saga-monitor';

/** The methods of a saga monitor's operator API (what stuckSagasController's class has). */
export interface StuckSagasEndpoints {
  stuck(includeAcknowledged: string | undefined): Promise<{ stuck: StuckView[] }>;
  acknowledge(orderId: string, body: AcknowledgeRequest, client: ApiClient, claim: IdempotencyClaim, res: Response): Promise<void>;
}

/**
 * The saga monitor's operator API (SPEC §8), the same in every service with a monitor:
 * `GET stuck` (the open reports) and `POST :orderId/acknowledge` (an operator has the order in
 * hand: not reported again for this crossing, only a new one reports; idempotent), both behind
 * `scope`. A service extends the class it returns and puts `@Controller('sagas')` on it:
 *
 *     @Controller('sagas')
 *     export class SagasController extends stuckSagasController(SagaMonitor, ORDER_SCOPES.operateSagas) {}
 */
export function stuckSagasController(monitor: abstract new (...args: never[]) => StuckSagaMonitor, scope: string): Type<StuckSagasEndpoints> {
  class StuckSagasController implements StuckSagasEndpoints {
    constructor(@Inject(monitor) private readonly monitor: StuckSagaMonitor) {}

    @Get('stuck')
    @RequireScopes(scope)
    async stuck(@Query('includeAcknowledged') includeAcknowledged: string | undefined): Promise<{ stuck: StuckView[] }> {
      return { stuck: await this.monitor.list(includeAcknowledgedParam(includeAcknowledged)) };
    }

    @Post(':orderId/acknowledge')
    @RequireScopes(scope)
    @Idempotent()
    async acknowledge(
      @Param('orderId', new ParseUUIDPipe()) orderId: string,
      @Body(new ZodBodyPipe(acknowledgeRequest)) body: AcknowledgeRequest,
      @CallingClient() client: ApiClient,
      @CurrentIdempotencyClaim() claim: IdempotencyClaim,
      @Res() res: Response,
    ): Promise<void> {
      const by = body.by ? `${body.by} (${client.clientId})` : client.clientId;
      const response = await this.monitor.acknowledge(orderId, by, body.note, { claim, respond: (result) => acknowledgeAnswer(orderId, result) });
      sendIdempotentResponse(res, response);
    }
  }
  return StuckSagasController;
}
