import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { z } from 'zod';
import { ApiClient, CallingClient, ProblemError, RequireScopes, ZodBodyPipe, validationProblem } from '@paystate/service-runtime';
import { StockLevels, StockView } from '../../application/stock-levels/stock-levels';
import { FULFILMENT_SCOPES } from './scopes';

/** A SKU as it appears in a path: letters, digits and . _ - (no spaces), at most 64 characters. */
export const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** stock.on_hand is an integer column: anything larger is absurd input, not a count. */
const MAX_ON_HAND = 1_000_000_000;
export const setStockRequest = z.strictObject({ onHand: z.number().int('must be an integer').min(0, 'must not be negative').max(MAX_ON_HAND, `must not exceed ${MAX_ON_HAND}`) });

function checkedSku(sku: string): string {
  if (!SKU.test(sku)) throw validationProblem([{ field: 'sku', message: 'must be 1–64 letters, digits, ".", "_" or "-"' }]);
  return sku;
}

@Controller('stock')
export class StockController {
  constructor(private readonly stock: StockLevels) {}

  @Get(':sku')
  @RequireScopes(FULFILMENT_SCOPES.stockRead)
  async get(@Param('sku') sku: string): Promise<StockView> {
    const view = await this.stock.find(checkedSku(sku));
    if (!view) throw ProblemError.of(404, 'not-found', 'SKU not found', `No stock is kept for ${sku}.`);
    return view;
  }

  /** Operator: sets the on-hand count (creating the SKU); refused with 409 below what is reserved. Setting is naturally idempotent. */
  @Put(':sku')
  @RequireScopes(FULFILMENT_SCOPES.stockWrite)
  async put(@Param('sku') sku: string, @Body(new ZodBodyPipe(setStockRequest)) body: z.output<typeof setStockRequest>, @CallingClient() client: ApiClient): Promise<StockView> {
    const result = await this.stock.setOnHand(checkedSku(sku), body.onHand, client.clientId, new Date());
    if (!result.ok) throw ProblemError.of(409, 'stock-below-reserved', 'On hand below reserved', result.detail);
    return result.stock;
  }
}
