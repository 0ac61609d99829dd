import { asEslintRule, ruleTester } from '../rule-tester';
import { failpointAtSeams } from './failpoint-at-seams';

const USE_CASE = 'apps/order-service/src/application/place-order/place-order.ts';
const IMPORT = `import { failpoint } from '@paystate/failpoints';\n`;

ruleTester.run('failpoint-at-seams', asEslintRule(failpointAtSeams), {
  valid: [
    {
      name: 'the named unit of work in libs/persistence',
      filename: 'libs/persistence/src/unit-of-work.ts',
      code: `${IMPORT}export async function commit(name: string) { failpoint(\`\${name}.before-commit\`); }`,
    },
    {
      name: 'the consumer wrapper in libs/messaging',
      filename: 'libs/messaging/src/inbox/idempotent-consumer.ts',
      code: `${IMPORT}failpoint('consumer.after-db-commit');`,
    },
    {
      name: 'an outbound adapter, through failpoint.async',
      filename: 'apps/payment-service/src/infrastructure/processor/processor-client.ts',
      code: `${IMPORT}export async function charge() { await failpoint.async('processor-client.after-response'); }`,
    },
    {
      name: 'a lib’s own spec (under libs/, like the code it tests)',
      filename: 'libs/failpoints/src/failpoint.spec.ts',
      code: `${IMPORT}it('throws', () => expect(() => failpoint('x')).toThrow());`,
    },
    {
      name: 'the catalogue and the names may be imported anywhere (tests arm points by name)',
      filename: 'e2e/saga/crash-recovery.e2e.spec.ts',
      code: `import { FAILPOINTS, type FailpointName } from '@paystate/failpoints';\nconst armed: FailpointName = 'order.place.after-commit';\nexpect(FAILPOINTS[armed]).toBeDefined();`,
    },
    {
      name: 'a type that names the function fires nothing',
      filename: USE_CASE,
      code: `${IMPORT}export type Fire = typeof failpoint;\nexport type FireLater = typeof failpoint.async;\nexport const noop: Fire = Object.assign(() => undefined, { async: async () => undefined });`,
    },
    {
      name: 'a local function called failpoint is not the lib’s',
      filename: USE_CASE,
      code: `function failpoint(name: string) { return name; }\nfailpoint('x');`,
    },
    {
      name: 'a shadowing parameter is not the import',
      filename: USE_CASE,
      code: `${IMPORT}export function run(failpoint: (n: string) => void) { failpoint('x'); }`,
    },
    {
      name: 'another module’s failpoint',
      filename: USE_CASE,
      code: `import { failpoint } from './failpoint';\nfailpoint('x');`,
    },
    {
      name: 'the lib reaches its own build files',
      filename: 'libs/failpoints/src/index.ts',
      code: `export * from '@paystate/failpoints/armed';`,
    },
  ],
  invalid: [
    {
      name: 'a call in a use case',
      filename: USE_CASE,
      code: `${IMPORT}failpoint('order.place.before-commit');`,
      errors: [
        {
          message:
            "'failpoint()' outside the seams: failpoints fire only in libs/ (the unit of work, the consumer wrapper) and in " +
            'apps/*/src/infrastructure/ (the outbound adapters). Put the point into the adapter or unit of work this code goes ' +
            'through; domain and application code hold no fault calls.',
        },
      ],
    },
    {
      name: 'failpoint.async in the domain',
      filename: 'apps/fulfilment-service/src/domain/shipment.ts',
      code: `${IMPORT}export async function f() { await failpoint.async('x'); }`,
      errors: [{ messageId: 'outsideSeam', data: { what: 'failpoint.async()' } }],
    },
    {
      name: 'an aliased import',
      filename: USE_CASE,
      code: `import { failpoint as fp } from '@paystate/failpoints';\nfp('x');\nawait fp.async('y');`,
      errors: [
        { messageId: 'outsideSeam', data: { what: 'fp()' } },
        { messageId: 'outsideSeam', data: { what: 'fp.async()' } },
      ],
    },
    {
      name: 'a namespace import, dotted and bracketed',
      filename: USE_CASE,
      code: `import * as faults from '@paystate/failpoints';\nfaults.failpoint('x');\nawait faults.failpoint.async('y');\nfaults['failpoint']('z');\nfaults.FAILPOINTS;`,
      errors: [
        { messageId: 'outsideSeam', data: { what: 'faults.failpoint()' } },
        { messageId: 'outsideSeam', data: { what: 'faults.failpoint.async()' } },
        { messageId: 'outsideSeam', data: { what: "faults['failpoint']()" } },
      ],
    },
    {
      name: 'the function handed on as a value, or exported again',
      filename: USE_CASE,
      code: `${IMPORT}const fire = failpoint;\nrunWith(failpoint);\nexport { failpoint };`,
      errors: [
        { messageId: 'outsideSeam', data: { what: 'failpoint' } },
        { messageId: 'outsideSeam', data: { what: 'failpoint' } },
        { messageId: 'outsideSeam', data: { what: 'failpoint' } },
      ],
    },
    {
      name: 're-exported from the lib',
      filename: 'apps/order-service/src/application/faults.ts',
      code: `export { failpoint as fire } from '@paystate/failpoints';\nexport * from '@paystate/failpoints';\nexport { FAILPOINTS } from '@paystate/failpoints';`,
      errors: [
        { messageId: 'reexport', data: { what: 'failpoint' } },
        { messageId: 'reexport', data: { what: "export * from '@paystate/failpoints'" } },
      ],
    },
    {
      name: 'a test file is no exemption: a test arms a point by name, it does not fire one',
      filename: 'apps/order-service/test/place-order.int.spec.ts',
      code: `${IMPORT}it('fails', () => failpoint('order.place.before-commit'));`,
      errors: [{ messageId: 'outsideSeam' }],
    },
    {
      name: 'a unit spec beside a use case',
      filename: 'apps/order-service/src/application/place-order/place-order.spec.ts',
      code: `${IMPORT}failpoint('x');`,
      errors: [{ messageId: 'outsideSeam' }],
    },
    {
      name: 'app code outside infrastructure/ (main.ts)',
      filename: 'apps/order-service/src/main.ts',
      code: `${IMPORT}failpoint('x');`,
      errors: [{ messageId: 'outsideSeam' }],
    },
    {
      name: 'a folder that only starts like infrastructure',
      filename: 'apps/order-service/src/infrastructure-old/x.ts',
      code: `${IMPORT}failpoint('x');`,
      errors: [{ messageId: 'outsideSeam' }],
    },
    {
      name: 'the tooling and the e2e harness are not seams',
      filename: 'infra/stack/src/services.ts',
      code: `${IMPORT}failpoint('x');`,
      errors: [{ messageId: 'outsideSeam' }],
    },
    {
      name: 'a subpath of the lib, in every import form, even at a seam',
      filename: 'libs/persistence/src/unit-of-work.ts',
      code: [
        `import { failpoint } from '@paystate/failpoints/armed';`,
        `import type { FailpointName } from '@paystate/failpoints/src/catalogue';`,
        `import inert = require('@paystate/failpoints/dist/inert.js');`,
        `export * from '@paystate/failpoints/armed';`,
        `const armed = require('@paystate/failpoints/dist/armed.js');`,
        `const later = import('@paystate/failpoints/armed');`,
      ].join('\n'),
      errors: [
        { messageId: 'subpath', data: { source: '@paystate/failpoints/armed' } },
        { messageId: 'subpath', data: { source: '@paystate/failpoints/src/catalogue' } },
        { messageId: 'subpath', data: { source: '@paystate/failpoints/dist/inert.js' } },
        { messageId: 'subpath', data: { source: '@paystate/failpoints/armed' } },
        { messageId: 'subpath', data: { source: '@paystate/failpoints/dist/armed.js' } },
        { messageId: 'subpath', data: { source: '@paystate/failpoints/armed' } },
      ],
    },
  ],
});
