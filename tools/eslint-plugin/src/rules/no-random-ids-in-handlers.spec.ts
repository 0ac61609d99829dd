import { asEslintRule, ruleTester } from '../rule-tester';
import { noRandomIdsInHandlers } from './no-random-ids-in-handlers';

const HANDLER = 'apps/payment-service/src/application/order-placed/initiate-payment.ts';
const DOMAIN = 'apps/ledger-service/src/domain/order-ledger.ts';
const CRYPTO = `import { randomUUID } from 'node:crypto';\n`;

// (The HTTP-caused exceptions carry an eslint-disable comment; RuleTester runs the rule under another
// name, so that the comment is honoured is shown by linting the real files: `npx eslint apps/*/src`.)
ruleTester.run('no-random-ids-in-handlers', asEslintRule(noRandomIdsInHandlers), {
  valid: [
    {
      name: 'a derived id in a handler',
      filename: HANDLER,
      code: `export async function handle(ctx: { deriveId(p: string): string }) { return ctx.deriveId('payment'); }`,
    },
    {
      name: 'the messaging library’s derivedId',
      filename: DOMAIN,
      code: `import { derivedId } from '@paystate/messaging';\nexport const id = derivedId('journal', 'e', 'k');`,
    },
    {
      name: 'infrastructure (the HTTP adapter) is outside the scope',
      filename: 'apps/payment-service/src/infrastructure/http/payments.controller.ts',
      code: `${CRYPTO}export const requestId = randomUUID();`,
    },
    {
      name: 'processor-sim is an external party, not a consumer',
      filename: 'apps/processor-sim/src/application/authorise/authorise.ts',
      code: `${CRYPTO}export const id = \`auth_\${randomUUID()}\`;`,
    },
    {
      name: 'a unit spec beside a use case makes test data',
      filename: 'apps/order-service/src/application/place-order/place-order.spec.ts',
      code: `${CRYPTO}const orderId = randomUUID();`,
    },
    {
      name: 'tests and libs are outside the scope',
      filename: 'apps/order-service/test/order-saga.int.spec.ts',
      code: `${CRYPTO}const orderId = randomUUID();`,
    },
    {
      name: 'other crypto functions and uuid v5',
      filename: HANDLER,
      code: `import { createHash } from 'node:crypto';\nimport { v5 } from 'uuid';\nexport const a = createHash('sha1');\nexport const b = v5('x', '6b0f3c1e-4d2a-4b8f-9e7a-5c3d1b0f2e4a');`,
    },
    {
      name: 'a local object called crypto is not the global one',
      filename: HANDLER,
      code: `export function f(crypto: { randomUUID(): string }) { return crypto.randomUUID(); }`,
    },
    {
      name: 'a type-only import names nothing that runs',
      filename: HANDLER,
      code: `import type { randomUUID } from 'node:crypto';\nexport type F = typeof randomUUID;`,
    },
  ],
  invalid: [
    {
      name: 'randomUUID from node:crypto in a handler',
      filename: HANDLER,
      code: `${CRYPTO}export const id = randomUUID();`,
      errors: [
        {
          message:
            "'randomUUID()' makes a random id: a replay would create this row or event again under another id, and no inbox " +
            'downstream would recognise it. Derive the id from its cause: ctx.deriveId(purpose) in a handler, derivedId(...) ' +
            'from @paystate/messaging elsewhere (ADR 0014). An id caused by an HTTP request (never replayed from Kafka) may stay ' +
            'random with `// eslint-disable-next-line paystate/no-random-ids-in-handlers -- <why>`.',
        },
      ],
    },
    {
      name: 'aliased, from crypto, handed on as a value',
      filename: DOMAIN,
      code: `import { randomUUID as newId } from 'crypto';\nexport const a = newId();\nexport const make = newId;`,
      errors: [
        { messageId: 'random', data: { what: 'newId()' } },
        { messageId: 'random', data: { what: 'newId' } },
      ],
    },
    {
      name: 'a namespace and a default import of node:crypto',
      filename: HANDLER,
      code: `import * as nodeCrypto from 'node:crypto';\nimport c from 'crypto';\nexport const a = nodeCrypto.randomUUID();\nexport const b = c['randomUUID']();`,
      errors: [
        { messageId: 'random', data: { what: 'nodeCrypto.randomUUID()' } },
        { messageId: 'random', data: { what: "c['randomUUID']()" } },
      ],
    },
    {
      name: 'the global crypto.randomUUID and globalThis.crypto.randomUUID',
      filename: HANDLER,
      code: `export const a = crypto.randomUUID();\nexport const b = globalThis.crypto.randomUUID();`,
      errors: [
        { messageId: 'random', data: { what: 'crypto.randomUUID()' } },
        { messageId: 'random', data: { what: 'globalThis.crypto.randomUUID()' } },
      ],
    },
    {
      name: 'uuid v4 (aliased and through a namespace) and the time-based v7',
      filename: 'apps/notification-service/src/application/customer-facts/record-customer-facts.ts',
      code: `import { v4 as uuidv4, v7 } from 'uuid';\nimport * as uuid from 'uuid';\nexport const a = uuidv4();\nexport const b = uuid.v4();\nexport const c = v7();`,
      errors: [
        { messageId: 'random', data: { what: 'uuidv4()' } },
        { messageId: 'random', data: { what: 'uuid.v4()' } },
        { messageId: 'random', data: { what: 'v7()' } },
      ],
    },
    {
      name: 'a disable comment for another rule is no exception',
      filename: HANDLER,
      code: `${CRYPTO}// eslint-disable-next-line no-console -- unrelated\nexport const id = randomUUID();`,
      errors: [{ messageId: 'random' }],
    },
  ],
});
