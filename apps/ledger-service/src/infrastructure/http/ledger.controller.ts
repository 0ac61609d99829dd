import { Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { LEDGER_ACCOUNTS, LedgerAccount, currencySchema } from '@paystate/contracts';
import { RequireScopes, ZodBodyPipe, validationProblem } from '@paystate/service-runtime';
import { AccountBalanceView, LedgerQueries, OrderJournalsView, TrialBalanceView } from '../../application/read-ledger/ledger-queries';
import { LEDGER_SCOPES } from './scopes';

// strict: an unknown or misspelt query parameter is a 400, not silently ignored
export const balanceQuery = z.strictObject({ currency: currencySchema });
export const journalsQuery = z.strictObject({ orderId: z.uuid('must be a UUID') });
export const trialBalanceQuery = z.strictObject({ currency: currencySchema.optional() });

const isAccount = (code: string): code is LedgerAccount => (LEDGER_ACCOUNTS as readonly string[]).includes(code);

@Controller('ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerQueries) {}

  @Get('accounts/:code/balance')
  @RequireScopes(LEDGER_SCOPES.read)
  balance(@Param('code') code: string, @Query(new ZodBodyPipe(balanceQuery)) query: z.output<typeof balanceQuery>): Promise<AccountBalanceView> {
    if (!isAccount(code)) throw validationProblem([{ field: 'code', message: `is not a ledger account (one of ${LEDGER_ACCOUNTS.join(', ')})` }]);
    return this.ledger.balance(code, query.currency);
  }

  @Get('journals')
  @RequireScopes(LEDGER_SCOPES.read)
  journals(@Query(new ZodBodyPipe(journalsQuery)) query: z.output<typeof journalsQuery>): Promise<OrderJournalsView> {
    return this.ledger.journalsOfOrder(query.orderId);
  }

  @Get('trial-balance')
  @RequireScopes(LEDGER_SCOPES.read)
  trialBalance(@Query(new ZodBodyPipe(trialBalanceQuery)) query: z.output<typeof trialBalanceQuery>): Promise<TrialBalanceView> {
    return this.ledger.trialBalance(query.currency);
  }
}
