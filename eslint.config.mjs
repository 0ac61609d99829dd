// Lint encodes the architecture: module boundaries by scope and type, pure domain code,
// and no promise left floating (a dropped promise in a consumer is a lost or duplicated effect).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import { require as tsxRequire } from 'tsx/cjs/api';

// the workspace's own rules (tools/eslint-plugin), loaded from their TypeScript source by tsx: no build
// step stands between a fresh clone and `npm run lint`. (Not tools/eslint-rules: @nx/eslint-plugin
// claims that folder and would load it through swc-node or ts-node, neither of which the repo has.)
const paystate = tsxRequire('./tools/eslint-plugin/src/index.ts', import.meta.url).default;

const DEP_CONSTRAINTS = [
  // scope: a service may use shared code and nothing of another service
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:order', onlyDependOnLibsWithTags: ['scope:order', 'scope:shared'] },
  { sourceTag: 'scope:payment', onlyDependOnLibsWithTags: ['scope:payment', 'scope:shared'] },
  { sourceTag: 'scope:ledger', onlyDependOnLibsWithTags: ['scope:ledger', 'scope:shared'] },
  { sourceTag: 'scope:fulfilment', onlyDependOnLibsWithTags: ['scope:fulfilment', 'scope:shared'] },
  { sourceTag: 'scope:notification', onlyDependOnLibsWithTags: ['scope:notification', 'scope:shared'] },
  { sourceTag: 'scope:processor', onlyDependOnLibsWithTags: ['scope:processor', 'scope:shared'] },
  { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared'] },
  // type: contracts are the bottom layer; apps are never imported
  // failpoints sit beside contracts at the bottom (a type-only import of the event types), below every seam that fires them
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:failpoints', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:persistence', onlyDependOnLibsWithTags: ['type:failpoints'] },
  { sourceTag: 'type:messaging', onlyDependOnLibsWithTags: ['type:contracts', 'type:failpoints', 'type:persistence'] },
  { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contracts', 'type:failpoints', 'type:persistence', 'type:messaging'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:failpoints', 'type:persistence', 'type:messaging', 'type:tooling', 'type:testing'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:contracts', 'type:failpoints', 'type:persistence', 'type:messaging', 'type:tooling'] },
  // an app's sources never use the test kit or the stack tooling (its tests may: see below)
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:failpoints', 'type:persistence', 'type:messaging', 'type:runtime'] },
];

// A service's own tests (apps/*/test, its specs) start the real stack through the tooling library
// and use the test kit; its sources never may.
const TEST_DEP_CONSTRAINTS = DEP_CONSTRAINTS.map((c) =>
  c.sourceTag === 'type:app' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing', 'type:tooling'] } : c,
);

const NO_NEST = { group: ['@nestjs/*'], message: 'framework-free: the Nest adapter lives in libs/messaging/src/nest and libs/service-runtime.' };
const PROCESS_ENV = { object: 'process', property: 'env', message: 'Configuration is read once, in the app’s config/ (one validated, typed object).' };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', '.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx, paystate },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      // faults fire at the I/O seams only (libs/, apps/*/src/infrastructure/), and nothing but the
      // failpoint lib reaches past its entry to a build file; the rule knows the seams itself
      'paystate/failpoint-at-seams': 'error',
      // ids derive from their cause in apps/*/src/{application,domain} (ADR 0014); the rule knows that
      // scope itself (processor-sim and unit specs are outside it)
      'paystate/no-random-ids-in-handlers': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
    },
  },
  {
    // a consumer controller (infrastructure/messaging/*.consumer.ts) holds @OnEvent handlers and its
    // constructor only; an @OnEvent anywhere else in an app is reported too
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'paystate/consumer-controller-only-on-event': 'error' },
  },
  {
    // process.env is read in config/ only (and by the tooling, which is configuration itself)
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['apps/*/src/config/**', 'libs/testing/**', '**/*.spec.ts'],
    rules: { 'no-restricted-properties': ['error', PROCESS_ENV] },
  },
  {
    // the armed failpoints build is reached only through `node --conditions=paystate-failpoints`:
    // importing it by path would arm production code (the typescript-eslint rule, so that the
    // no-restricted-imports blocks below keep their own options)
    files: ['**/*.ts'],
    ignores: ['libs/failpoints/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@paystate/failpoints/*', '**/failpoints/src/armed', '**/failpoints/src/armed.*', '**/failpoints/dist/armed', '**/failpoints/dist/armed.*'], message: 'Import @paystate/failpoints: the armed build is chosen by --conditions=paystate-failpoints, never by path.' }] },
      ],
    },
  },
  {
    // the domain is pure: no framework, no I/O, no clock or randomness (they come in as arguments)
    files: ['**/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', 'pg', 'kafkajs', 'node:*', 'fs', 'crypto', 'http', 'https', 'uuid', '@paystate/messaging', '@paystate/persistence'], message: 'domain/ is pure: ids and time come in as arguments, effects live in application/ and infrastructure/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'Date', message: 'Pass the time in (ctx.now).' }, { name: 'process', message: 'Config is read in config/ only.' }],
      // (repeats the process.env rule: a later block's options replace an earlier one's)
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Randomness is an argument.' }, PROCESS_ENV],
    },
  },
  {
    // the bottom layers stay framework-free: contracts are types and schemas, persistence and the
    // messaging core plain TypeORM (what the docs and the libs' READMEs promise)
    files: ['libs/contracts/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_NEST, { group: ['typeorm', 'kafkajs', 'pg'], message: 'contracts are types, schemas and examples: no I/O.' }] }],
    },
  },
  {
    files: ['libs/persistence/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_NEST] }] },
  },
  {
    // the messaging core (inbox, outbox, the main entry point) loads no Nest, not even through its
    // own adapter: that one is the separate entry point @paystate/messaging/nest
    files: ['libs/messaging/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/messaging/src/nest/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_NEST, { group: ['./nest', './nest/*', '../nest', '../nest/*'], message: 'the core never imports its Nest adapter (@paystate/messaging/nest).' }] }],
    },
  },
  {
    files: ['apps/*/test/**/*.ts', 'apps/*/src/**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], enforceBuildableLibDependency: false, depConstraints: TEST_DEP_CONSTRAINTS }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']", message: 'No .only in committed tests.' }],
    },
  },
);
