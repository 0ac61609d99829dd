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
import type { RejectionCode, ReviewResolution } from '../../domain/payment';
import { FindPaymentsQuery, PaymentView } from '../persistence/payment-queries';
import { RefundPaymentUseCase, RefundResult } from '../../application/refunds/refund-payment';
import { ResolveResult, ResolveReviewUseCase } from '../../application/review/resolve-review';
import { PAYMENT_SCOPES } from './scopes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const refundRequest = z.strictObject({ amount: amountMinorSchema.optional() });

/** A person's reason, kept on the payment's transition log beside what they did. */
const note = z.string().trim().min(1, 'say why (it is kept on the payment’s log)').max(500);
export const resolutionRequest = z.union([
  z.strictObject({ action: z.literal('retry'), note }),
  z.strictObject({ action: z.literal('record-outcome'), outcome: z.literal('succeeded'), processorObjectId: z.string().trim().min(1).max(255), note }),
  z.strictObject({ action: z.literal('record-outcome'), outcome: z.literal('failed'), code: z.string().trim().min(1).max(100), note }),
]);
type ResolutionRequest = z.output<typeof resolutionRequest>;

function resolutionOf(body: ResolutionRequest): ReviewResolution {
  if (body.action === 'retry') return { action: 'retry' };
  return body.outcome === 'succeeded'
    ? { action: 'record-outcome', outcome: { result: 'succeeded', objectId: body.processorObjectId } }
    : { action: 'record-outcome', outcome: { result: 'failed', code: body.code, detail: `recorded by an operator: ${body.note}` } };
}

/** 202 when the processor is asked again (the outcome follows on the payment), 200 when the outcome is recorded. */
function resolutionAnswer(paymentId: string, result: ResolveResult) {
  if (!result.ok) return problemResponse(refusal(result.reason, 'Resolution refused', result.detail).problem);
  return jsonResponse(result.effect === 'retried' ? 202 : 200, { paymentId, effect: result.effect, operationId: result.operationId, status: result.status });
}

/** The stored (and replayed) answer of POST /payments/:id/refunds for each business outcome. */
function refundAnswer(paymentId: string, result: RefundResult) {
  if (result.ok) return jsonResponse(202, { paymentId, operationId: result.operationId, amount: result.amount, status: 'PENDING' });
  return problemResponse(refusal(result.reason, 'Refund refused', result.detail).problem);
}

/** The status and problem type each refusal of a payment command answers with (SPEC §5: problem+json, a type per cause). */
const REFUSALS: Readonly<Record<'not-found' | RejectionCode, readonly [number, string]>> = {
  'not-found': [404, 'not-found'],
  'exceeds-refundable': [422, 'refund-exceeds-captured'],
  'invalid-amount': [422, 'invalid-amount'],
  'invalid-state': [409, 'invalid-state-transition'],
  'not-in-review': [409, 'payment-not-in-review'],
  'outcome-known': [409, 'operation-outcome-known'],
  'already-recorded': [409, 'processor-object-already-recorded'],
};

export function refusal(reason: 'not-found' | RejectionCode, title: string, detail: string): ProblemError {
  const [status, type] = REFUSALS[reason];
  return ProblemError.of(status, type, reason === 'not-found' ? 'Payment not found' : title, detail);
}

@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly payments: FindPaymentsQuery,
    private readonly refunds: RefundPaymentUseCase,
    private readonly reviews: ResolveReviewUseCase,
  ) {}

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

  /**
   * A person resolves a payment under review (C5, or an outcome unknown past its deadline): retry
   * the operation under review, or record the outcome the processor's own records show. Idempotent.
   */
  @Post(':id/resolutions')
  @RequireScopes(PAYMENT_SCOPES.resolve)
  @Idempotent()
  async resolve(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodBodyPipe(resolutionRequest)) body: ResolutionRequest,
    @CurrentIdempotencyClaim() claim: IdempotencyClaim,
    @Res() res: Response,
  ): Promise<void> {
    const cause = { id: randomUUID(), type: 'operator-review', note: body.note };
    const response = await this.reviews.execute(id, resolutionOf(body), cause, { claim, respond: (result) => resolutionAnswer(id, result) });
    sendIdempotentResponse(res, response);
  }
}
