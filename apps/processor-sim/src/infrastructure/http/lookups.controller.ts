import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ProblemError } from '@paystate/service-runtime';
import { OperationView, ProcessorLookups } from '../../application/lookups/processor-lookups';
import { SettlementReports } from '../../application/settlements/settlement-report';
import { SettlementLine, isSettlementDate } from '../../domain/settlement';
import { ApiKeyGuard, ClientId } from './api-key.guard';

@Controller('v1')
@UseGuards(ApiKeyGuard)
export class LookupsController {
  constructor(
    private readonly lookups: ProcessorLookups,
    private readonly settlements: SettlementReports,
  ) {}

  /** What the request with this Idempotency-Key did: how a client resolves a lost response. */
  @Get('operations/:idempotencyKey')
  async operation(@Param('idempotencyKey') key: string, @ClientId() clientId: string): Promise<OperationView> {
    const op = await this.lookups.operationByKey(clientId, key);
    if (!op) throw ProblemError.of(404, 'not-found', 'No such operation', 'No request with this Idempotency-Key was ever executed.', { code: 'resource_missing' });
    return op;
  }

  /** The settlement report of a UTC day: one line per capture and refund, fees deducted from captures. */
  @Get('settlements/:date')
  async settlement(@Param('date') date: string): Promise<{ date: string; lines: SettlementLine[] }> {
    if (!isSettlementDate(date)) {
      throw ProblemError.of(400, 'validation', 'Your request is not valid', 'The date must be YYYY-MM-DD.', { errors: [{ field: 'date', message: 'must be a calendar date YYYY-MM-DD' }] });
    }
    return this.settlements.report(date);
  }
}
