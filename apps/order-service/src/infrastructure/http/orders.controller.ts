import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ProblemError, ZodBodyPipe } from '@paystate/service-runtime';
import { GetOrderQuery, OrderView } from '../../application/get-order/get-order';
import { PlaceOrderUseCase } from '../../application/place-order/place-order';
import { placeOrderRequest, PlaceOrderRequest } from './place-order.request';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

@Controller('orders')
export class OrdersController {
  constructor(private readonly placeOrder: PlaceOrderUseCase, private readonly orders: GetOrderQuery) {}

  @Post()
  @HttpCode(201)
  async place(
    @Body(new ZodBodyPipe(placeOrderRequest)) body: PlaceOrderRequest,
    @Headers('x-request-id') requestId: string | undefined,
    @Headers('traceparent') traceparent: string | undefined,
  ): Promise<{ id: string; status: string; total: number; currency: string }> {
    const cause = {
      requestId: requestId && UUID.test(requestId) ? requestId : randomUUID(),
      ...(traceparent && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
    };
    const result = await this.placeOrder.execute(body, cause);
    if (!result.ok) {
      throw ProblemError.of(400, 'amount-out-of-range', 'Order total out of range', `The order total must be between 1 and ${result.error.max} minor units.`, {
        errors: [{ field: 'items', message: 'the order total is out of range' }],
      });
    }
    const order = result.value;
    return { id: order.id, status: order.status, total: order.total, currency: order.currency };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<OrderView> {
    const order = await this.orders.byId(id);
    if (!order) throw ProblemError.of(404, 'not-found', 'Order not found', `No order ${id}.`);
    return order;
  }
}
