import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ProblemError } from '@paystate/service-runtime';
import { FindPaymentsQuery, PaymentView } from '../../application/find-payments/find-payments';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: FindPaymentsQuery) {}

  @Get()
  async list(@Query('orderId') orderId: string | undefined): Promise<PaymentView[]> {
    if (!orderId || !UUID.test(orderId)) {
      throw ProblemError.of(400, 'validation', 'Your request is not valid', 'orderId is required and must be a UUID', {
        errors: [{ field: 'orderId', message: 'must be a UUID' }],
      });
    }
    return this.payments.byOrder(orderId);
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PaymentView> {
    const payment = await this.payments.byId(id);
    if (!payment) throw ProblemError.of(404, 'not-found', 'Payment not found', `No payment ${id}.`);
    return payment;
  }
}
