// The rules' specs prove what each rule reports; this one proves that eslint.config.mjs loads the
// plugin and turns each rule on where the conventions put it (a rule dropped from the config, or a
// glob that stopped matching, fails here). The config is an ES module, which Jest's CommonJS runtime
// cannot import, so ESLint computes the configuration in a child process.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

const CONSUMER = 'apps/ledger-service/src/infrastructure/messaging/payment-events.consumer.ts';
const FILES = [
  CONSUMER,
  'apps/order-service/src/application/place-order/place-order.ts',
  'apps/order-service/src/domain/order.ts',
  'apps/order-service/src/application/place-order/place-order.spec.ts',
  'apps/order-service/test/order-api.int.spec.ts',
  'libs/messaging/src/inbox/idempotent-consumer.ts',
  'libs/persistence/src/transaction.ts',
  'e2e/saga/crash-recovery.e2e.spec.ts',
  'infra/stack/src/services.ts',
] as const;

type Severity = 'error' | 'warn' | 'off';

function severities(files: readonly string[]): Record<string, Record<string, Severity>> {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint();
      const out = {};
      for (const file of ${JSON.stringify(files)}) {
        const { rules } = await eslint.calculateConfigForFile(file);
        const level = (entry) => ['off', 'warn', 'error'][Array.isArray(entry) ? entry[0] : entry ?? 0] ?? entry;
        out[file] = {
          consumer: level(rules['paystate/consumer-controller-only-on-event']),
          failpoint: level(rules['paystate/failpoint-at-seams']),
          randomIds: level(rules['paystate/no-random-ids-in-handlers']),
        };
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((err) => { console.error(err); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' })) as Record<string, Record<string, Severity>>;
}

describe('eslint.config.mjs wires the paystate rules', () => {
  let config: Record<string, Record<string, Severity>>;
  beforeAll(() => {
    config = severities(FILES);
  }, 120_000);

  it('checks failpoint calls in every TypeScript file (the rule itself knows the seams)', () => {
    for (const file of FILES) expect({ file, level: config[file]?.failpoint }).toEqual({ file, level: 'error' });
  });

  it('checks random ids in every TypeScript file (the rule itself knows application/ and domain/)', () => {
    for (const file of FILES) expect({ file, level: config[file]?.randomIds }).toEqual({ file, level: 'error' });
  });

  it('checks consumer controllers, and @OnEvent anywhere in an app’s sources, but not in specs or libs', () => {
    const on = FILES.filter((f) => config[f]?.consumer === 'error');
    expect(on).toEqual([CONSUMER, 'apps/order-service/src/application/place-order/place-order.ts', 'apps/order-service/src/domain/order.ts']);
  });
});
