import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  AcknowledgeRequest,
  ApiClient,
  CallingClient,
  CurrentIdempotencyClaim,
  Idempotent,
  IdempotencyClaim,
  RequireScopes,
  StuckView,
  ZodBodyPipe,
  acknowledgeAnswer,
  acknowledgeRequest,
  includeAcknowledgedParam,
  sendIdempotentResponse,
} from '@paystate/service-runtime';
import { SagaMonitor } from '../../application/monitor/saga-monitor';
import { ORDER_SCOPES } from './scopes';

/** The saga monitor's operator API (SPEC §8): the stuck sagas, and an operator's acknowledgement. */
@Controller('sagas')
export class SagasController {
  constructor(private readonly monitor: SagaMonitor) {}

  @Get('stuck')
  @RequireScopes(ORDER_SCOPES.operateSagas)
  async stuck(@Query('includeAcknowledged') includeAcknowledged: string | undefined): Promise<{ stuck: StuckView[] }> {
    return { stuck: await this.monitor.list(includeAcknowledgedParam(includeAcknowledged)) };
  }

  /** An operator has the order in hand: not reported again for this crossing (only a new one reports). Idempotent. */
  @Post(':orderId/acknowledge')
  @RequireScopes(ORDER_SCOPES.operateSagas)
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
