import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  CurrentIdempotencyClaim,
  Idempotent,
  IdempotencyClaim,
  ProblemError,
  RequireScopes,
  ZodBodyPipe,
  jsonResponse,
  sendIdempotentResponse,
} from '@paystate/service-runtime';
import { GetOrderQuery, OrderView } from '../../application/get-order/get-order';
import { PlaceOrderUseCase } from '../../application/place-order/place-order';
import { GetTimelineQuery, TimelineView } from '../../application/timeline/timeline';
import type { Order } from '../../domain/order';
import { placeOrderRequest, PlaceOrderRequest } from './place-order.request';
import { ORDER_SCOPES } from './scopes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The 201 body of POST /orders. */
export const orderCreated = (order: Order) => jsonResponse(201, { id: order.id, status: order.status, total: order.total, currency: order.currency });

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderUseCase,
    private readonly orders: GetOrderQuery,
    private readonly timelines: GetTimelineQuery,
  ) {}

  /**
   * Idempotent (SPEC §5): the response is sent from the string stored with the order, so a replay
   * is byte-identical. Everything thrown here (validation 400s included) releases the key.
   */
  @Post()
  @RequireScopes(ORDER_SCOPES.write)
  @Idempotent()
  async place(
    @Body(new ZodBodyPipe(placeOrderRequest)) body: PlaceOrderRequest,
    @CurrentIdempotencyClaim() claim: IdempotencyClaim,
    @Headers('x-request-id') requestId: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const cause = {
      requestId: requestId && UUID.test(requestId) ? requestId : randomUUID(),
      ...(traceparent && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
    };
    const result = await this.placeOrder.execute(body, cause, { claim, respond: orderCreated });
    if (!result.ok) {
      // an absurd total is bad input (SPEC §5), not a business outcome: not stored, the key is released
      throw ProblemError.of(400, 'amount-out-of-range', 'Order total out of range', `The order total must be between 1 and ${result.error.max} minor units.`, {
        errors: [{ field: 'items', message: 'the order total is out of range' }],
      });
    }
    sendIdempotentResponse(res, result.value.response);
  }

  @Get(':id')
  @RequireScopes(ORDER_SCOPES.read)
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<OrderView> {
    const order = await this.orders.byId(id);
    if (!order) throw ProblemError.of(404, 'not-found', 'Order not found', `No order ${id}.`);
    return order;
  }

  /** Every event of the order across services, in the order they happened (SPEC §5). */
  @Get(':id/timeline')
  @RequireScopes(ORDER_SCOPES.read)
  async timeline(@Param('id', new ParseUUIDPipe()) id: string): Promise<TimelineView> {
    const timeline = await this.timelines.byOrder(id);
    if (!timeline) throw ProblemError.of(404, 'not-found', 'Order not found', `No order ${id}.`);
    return timeline;
  }
}
