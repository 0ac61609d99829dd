import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { amountMinorSchema } from '@paystate/contracts';
import { ProblemError, ZodBodyPipe } from '@paystate/service-runtime';
import { FindPaymentsQuery, PaymentView } from '../../application/find-payments/find-payments';
import { RefundPaymentUseCase } from '../../application/refunds/refund-payment';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const refundRequest = z.strictObject({ amount: amountMinorSchema.optional() });

@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: FindPaymentsQuery, private readonly refunds: RefundPaymentUseCase) {}

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

  /** Operator refund: 202 with the operation that will carry it out (its outcome shows on the payment). */
  @Post(':id/refunds')
  @HttpCode(202)
  async refund(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(refundRequest)) body: z.output<typeof refundRequest>,
  ): Promise<{ paymentId: string; operationId: string; amount: number; status: 'PENDING' }> {
    const result = await this.refunds.execute(id, body.amount, randomUUID());
    if (!result.ok) {
      if (result.reason === 'not-found') throw ProblemError.of(404, 'not-found', 'Payment not found', result.detail);
      throw ProblemError.of(409, result.reason === 'in-progress' ? 'refund-in-progress' : 'invalid-state-transition', 'Refund refused', result.detail);
    }
    return { paymentId: id, operationId: result.operationId, amount: result.amount, status: 'PENDING' };
  }
}
