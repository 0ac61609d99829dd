// Shared Jest settings: SWC transpiles TypeScript (decorator metadata on, for Nest), and the
// workspace libraries resolve to their sources so unit tests never need a build first.
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/** @param {string} tier 'unit' | 'int' | 'e2e' */
function jestConfig(projectDir, tier) {
  const suffix = { unit: '.spec.ts', int: '.int.spec.ts', e2e: '.e2e.spec.ts' }[tier];
  const root = path.resolve(__dirname);
  return {
    displayName: `${path.basename(projectDir)}:${tier}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': swc },
    moduleFileExtensions: ['ts', 'js', 'json'],
    // @paystate/failpoints maps to its inert build, as a plain `node` resolves it; its own specs import
    // the armed one by path (services under test run as processes started with the condition)
    moduleNameMapper: {
      // the zod-only config entry point (libs/service-runtime/config/package.json points Node at dist)
      '^@paystate/service-runtime/config$': `${root}/libs/service-runtime/src/config.ts`,
      '^@paystate/(contracts|failpoints|messaging|persistence|service-runtime|testing)$': `${root}/libs/$1/src/index.ts`,
      '^@paystate/messaging/nest$': `${root}/libs/messaging/src/nest/index.ts`,
      '^@paystate/testing/decider-spec$': `${root}/libs/testing/src/decider-spec.ts`,
      '^@paystate/stack$': `${root}/infra/stack/src/index.ts`,
    },
    testMatch: [`<rootDir>/**/*${suffix}`],
    // unit tests must not pick up the slower tiers, which share the .spec.ts ending
    testPathIgnorePatterns: ['/node_modules/', '/dist/', ...(tier === 'unit' ? ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] : [])],
    ...(tier === 'unit' ? {} : {
      globalSetup: `${root}/libs/testing/src/global-setup.ts`,
      globalTeardown: `${root}/libs/testing/src/global-teardown.ts`,
      testTimeout: tier === 'e2e' ? 240_000 : 120_000,
      maxWorkers: 1,
    }),
  };
}

module.exports = { jestConfig, swc };
