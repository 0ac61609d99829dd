import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { amountMinorSchema } from '@paystate/contracts';
import {
  CurrentIdempotencyClaim,
  Idempotent,
  IdempotencyClaim,
  ProblemError,
  RequireScopes,
  ZodBodyPipe,
  jsonResponse,
  problemResponse,
  sendIdempotentResponse,
} from '@paystate/service-runtime';
import { FindPaymentsQuery, PaymentView } from '../../application/find-payments/find-payments';
import { RefundPaymentUseCase, RefundResult } from '../../application/refunds/refund-payment';
import { PAYMENT_SCOPES } from './scopes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const refundRequest = z.strictObject({ amount: amountMinorSchema.optional() });

/** The stored (and replayed) answer of POST /payments/:id/refunds for each business outcome. */
function refundAnswer(paymentId: string, result: RefundResult) {
  if (result.ok) return jsonResponse(202, { paymentId, operationId: result.operationId, amount: result.amount, status: 'PENDING' });
  if (result.reason === 'not-found') return problemResponse(ProblemError.of(404, 'not-found', 'Payment not found', result.detail).problem);
  return problemResponse(ProblemError.of(409, result.reason === 'in-progress' ? 'refund-in-progress' : 'invalid-state-transition', 'Refund refused', result.detail).problem);
}

@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: FindPaymentsQuery, private readonly refunds: RefundPaymentUseCase) {}

  @Get()
  @RequireScopes(PAYMENT_SCOPES.read)
  async list(@Query('orderId') orderId: string | undefined): Promise<PaymentView[]> {
    if (!orderId || !UUID.test(orderId)) {
      throw ProblemError.of(400, 'validation', 'Your request is not valid', 'orderId is required and must be a UUID', {
        errors: [{ field: 'orderId', message: 'must be a UUID' }],
      });
    }
    return this.payments.byOrder(orderId);
  }

  @Get(':id')
  @RequireScopes(PAYMENT_SCOPES.read)
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PaymentView> {
    const payment = await this.payments.byId(id);
    if (!payment) throw ProblemError.of(404, 'not-found', 'Payment not found', `No payment ${id}.`);
    return payment;
  }

  /** Operator refund: 202 with the operation that carries it out (its outcome shows on the payment). Idempotent (SPEC §5). */
  @Post(':id/refunds')
  @RequireScopes(PAYMENT_SCOPES.refund)
  @Idempotent()
  async refund(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(refundRequest)) body: z.output<typeof refundRequest>,
    @CurrentIdempotencyClaim() claim: IdempotencyClaim,
    @Res() res: Response,
  ): Promise<void> {
    const response = await this.refunds.execute(id, body.amount, randomUUID(), { claim, respond: (result) => refundAnswer(id, result) });
    sendIdempotentResponse(res, response);
  }
}
