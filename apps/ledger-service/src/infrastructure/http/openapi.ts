import { z } from 'zod';
import { LEDGER_ACCOUNTS } from '@paystate/contracts';
import { OpenApiDocument, buildServiceDocument, jsonContent, problemContent, responses, secured } from '@paystate/service-runtime';
import type { AccountBalanceView, OrderJournalsView, TrialBalanceView } from '../../application/read-ledger/ledger-queries';
import { balanceQuery, journalsQuery, trialBalanceQuery } from './ledger.controller';
import { LEDGER_SCOPES } from './scopes';

// ledger-service's OpenAPI document (docs/openapi/ledger-service.json, GET /openapi.json), from the
// zod schemas that validate its requests and describe its answers. The ledger is read-only over HTTP.

const side = z.enum(['DEBIT', 'CREDIT']);

const accountBalanceSchema = z
  .object({
    account: z.enum(LEDGER_ACCOUNTS),
    currency: z.string(),
    debits: z.number().int(),
    credits: z.number().int(),
    balance: z.number().int().describe('Positive on the account’s normal side.'),
    normalSide: side,
  })
  .meta({ id: 'AccountBalance' }) satisfies z.ZodType<AccountBalanceView>;

const orderJournalsSchema = z
  .object({
    orderId: z.uuid(),
    journals: z.array(
      z
        .object({
          id: z.string(),
          journalKey: z.string(),
          kind: z.string(),
          orderId: z.uuid(),
          paymentId: z.string().nullable(),
          currency: z.string(),
          amount: z.number().int(),
          sourceEventId: z.string(),
          sourceEventType: z.string(),
          postedAt: z.iso.datetime(),
          postings: z.array(z.object({ account: z.string(), side, amount: z.number().int() })),
        })
        .meta({ id: 'Journal' }),
    ),
    parked: z
      .array(
        z.object({
          sourceEventId: z.string(),
          journalKey: z.string(),
          status: z.string(),
          parkedAt: z.iso.datetime(),
          resolvedAt: z.iso.datetime().nullable(),
          resolvedByEventId: z.string().nullable(),
        }),
      )
      .describe('Facts that arrived before the capture they imply, and what became of them.'),
  })
  .meta({ id: 'OrderJournals' }) satisfies z.ZodType<OrderJournalsView>;

const trialBalanceSchema = z
  .object({
    balanced: z.boolean().describe('True when every currency balances.'),
    currencies: z.array(z.object({ currency: z.string(), accounts: z.array(accountBalanceSchema), totalDebits: z.number().int(), totalCredits: z.number().int(), balanced: z.boolean() })),
  })
  .meta({ id: 'TrialBalance' }) satisfies z.ZodType<TrialBalanceView>;

const badQuery = (what: string) => problemContent(`${what}; an unknown query parameter is refused too. Every failing field is listed.`);

export function ledgerServiceOpenApi(): OpenApiDocument {
  const read = secured([LEDGER_SCOPES.read]);
  return buildServiceDocument({
    service: 'ledger-service',
    version: '1',
    description: 'The double-entry journal of the saga’s money (SPEC §6), read-only over HTTP. Every route but /health, /metrics and /openapi.json needs a bearer API key.',
    paths: {
      '/ledger/accounts/{code}/balance': {
        get: {
          operationId: 'getAccountBalance',
          tags: ['ledger'],
          summary: 'One account’s balance in one currency',
          security: read.security,
          requestParams: { path: z.object({ code: z.enum(LEDGER_ACCOUNTS) }), query: balanceQuery },
          responses: responses({ '200': jsonContent('The balance.', accountBalanceSchema), '400': badQuery('The account is not a ledger account, or currency is missing or not ISO 4217') }, read.responses),
        },
      },
      '/ledger/journals': {
        get: {
          operationId: 'getJournalsOfOrder',
          tags: ['ledger'],
          summary: 'The journals of an order and the facts parked for it',
          security: read.security,
          requestParams: { query: journalsQuery },
          responses: responses({ '200': jsonContent('The order’s journals (empty lists when it has none).', orderJournalsSchema), '400': badQuery('orderId is missing or not a UUID') }, read.responses),
        },
      },
      '/ledger/trial-balance': {
        get: {
          operationId: 'getTrialBalance',
          tags: ['ledger'],
          summary: 'Every account per currency, and whether debits equal credits',
          security: read.security,
          requestParams: { query: trialBalanceQuery },
          responses: responses({ '200': jsonContent('The trial balance.', trialBalanceSchema), '400': badQuery('currency is not ISO 4217') }, read.responses),
        },
      },
    },
  });
}
