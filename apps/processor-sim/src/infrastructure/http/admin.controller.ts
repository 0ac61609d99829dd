import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ProblemError, ZodBodyPipe } from '@paystate/service-runtime';
import { FaultInjection } from '../../application/faults/fault-injection';
import { ProcessorLookups } from '../../application/lookups/processor-lookups';
import { SettlementReports } from '../../application/settlements/settlement-report';
import { WebhookModeSetting } from '../../application/webhooks/webhook-mode';
import type { Fault } from '../../domain/faults';
import { isSettlementDate } from '../../domain/settlement';
import { NORMAL_DELIVERY, WebhookMode } from '../../domain/webhook-event';
import { DiscrepancyRequestBody, FaultRequest, WebhookModeRequest, discrepancyRequest, faultRequest, requireReference, webhookModeRequest } from './requests';

const faultView = (f: Fault): object => ({ ...f, createdAt: f.createdAt.toISOString() });

function requireDate(date: string): string {
  if (!isSettlementDate(date)) {
    throw ProblemError.of(400, 'validation', 'Your request is not valid', 'The date must be YYYY-MM-DD.', { errors: [{ field: 'date', message: 'must be a calendar date YYYY-MM-DD' }] });
  }
  return date;
}

/**
 * Test controls and ground truth. Registered only when PROCESSOR_ADMIN_ENABLED=true (otherwise
 * every /admin route is a 404); no API key, as the simulator is a test tool bound to loopback.
 */
@Controller('admin')
export class AdminController {
  constructor(
    private readonly faults: FaultInjection,
    private readonly lookups: ProcessorLookups,
    private readonly settlements: SettlementReports,
    private readonly webhookMode: WebhookModeSetting,
  ) {}

  @Post('faults')
  @HttpCode(201)
  addFault(@Body(new ZodBodyPipe(faultRequest)) body: FaultRequest): object {
    return faultView(this.faults.add(body));
  }

  @Get('faults')
  listFaults(): { data: object[] } {
    return { data: this.faults.list().map(faultView) };
  }

  @Delete('faults')
  clearFaults(): { removed: number } {
    return { removed: this.faults.clear() };
  }

  @Delete('faults/:id')
  removeFault(@Param('id') id: string): { removed: number } {
    if (!this.faults.remove(id)) throw ProblemError.of(404, 'not-found', 'No such fault', `No fault ${id}.`);
    return { removed: 1 };
  }

  /** Everything executed for a reference, with counts: "exactly one authorisation" is asserted here. */
  @Get('records')
  records(@Query('reference') reference: unknown): Promise<object> {
    return this.lookups.records(requireReference(reference));
  }

  @Get('webhooks')
  async webhooks(@Query('reference') reference: unknown): Promise<{ data: object[] }> {
    return { data: await this.lookups.webhookDeliveries(requireReference(reference)) };
  }

  @Get('webhooks/mode')
  mode(): WebhookMode {
    return this.webhookMode.current;
  }

  @Post('webhooks/mode')
  @HttpCode(200)
  setMode(@Body(new ZodBodyPipe(webhookModeRequest)) body: WebhookModeRequest): WebhookMode {
    return this.webhookMode.set({ duplicate: body.duplicate, outOfOrder: body.outOfOrder, holdMs: body.holdMs ?? NORMAL_DELIVERY.holdMs });
  }

  @Get('settlements/:date/discrepancies')
  async discrepancies(@Param('date') date: string): Promise<{ data: object[] }> {
    const list = await this.settlements.discrepancies(requireDate(date));
    return { data: list.map((d) => ({ id: d.id, date: d.date, ...d.discrepancy, createdAt: d.createdAt.toISOString() })) };
  }

  @Post('settlements/:date/discrepancies')
  @HttpCode(201)
  async addDiscrepancy(@Param('date') date: string, @Body(new ZodBodyPipe(discrepancyRequest)) body: DiscrepancyRequestBody): Promise<object> {
    const result = await this.settlements.inject(requireDate(date), body);
    if (!result.ok) {
      throw ProblemError.of(422, 'no-such-line', 'No such settlement line', `The ${date} report has no line ${result.processorReference}.`, { code: 'no_such_line' });
    }
    const d = result.discrepancy;
    return { id: d.id, date: d.date, ...d.discrepancy, createdAt: d.createdAt.toISOString() };
  }
}
