import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { EVENT_CATALOGUE } from '@paystate/contracts';
import { parseCanvas } from './canvas';
import { AppFacts, checkCanvas } from './canvas-check';
import { CodeFacts, readCodeFacts } from './code-facts';

// Each service canvas (apps/<app>/README.md) against its app's code: the Emits and Consumes tables
// against the contracts its sources append to the outbox and handle with @OnEvent, the
// Configuration table against its configSchema, the Invariants against its migrations, and the
// headings against the template (docs/canvas-template.md).

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const APPS = fs
  .readdirSync(path.join(repoRoot, 'apps'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const topicOf = (type: string): string | undefined => EVENT_CATALOGUE.find((c) => c.type === type)?.topic;

async function configKeysOf(app: string): Promise<string[]> {
  const config: unknown = await import(path.join(repoRoot, 'apps', app, 'src', 'config', 'config.ts'));
  const schema = typeof config === 'object' && config !== null && 'configSchema' in config ? config.configSchema : undefined;
  if (!(schema instanceof z.ZodObject)) throw new Error(`apps/${app}/src/config/config.ts exports no configSchema (a z.object)`);
  return Object.keys(schema.shape);
}

/** The sources a database object's name may come from: the app's migrations and the shared tables they create. */
function schemaText(app: string): string {
  const files = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
          .map((f) => path.join(dir, f))
      : [];
  const libs = fs.readdirSync(path.join(repoRoot, 'libs')).flatMap((lib) => files(path.join(repoRoot, 'libs', lib, 'src')));
  return [...files(path.join(repoRoot, 'apps', app, 'migrations')), ...libs].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

function readCanvas(app: string): { file: string; text: string } {
  const file = `apps/${app}/README.md`;
  return { file, text: fs.readFileSync(path.join(repoRoot, file), 'utf8') };
}

describe('service canvases', () => {
  let code: Map<string, CodeFacts>;
  const facts = new Map<string, AppFacts>();

  beforeAll(async () => {
    code = readCodeFacts(repoRoot, APPS);
    for (const app of APPS) {
      const text = schemaText(app);
      const own = code.get(app);
      if (!own) throw new Error(`no code facts for ${app}`);
      facts.set(app, { ...own, configKeys: await configKeysOf(app), topicOf, isSchemaName: (name) => new RegExp(`\\b${name}\\b`).test(text) });
    }
  });

  const factsOf = (app: string): AppFacts => {
    const f = facts.get(app);
    if (!f) throw new Error(`no facts for ${app}`);
    return f;
  };
  const check = (app: string, text: string): string[] => checkCanvas(parseCanvas(`apps/${app}/README.md`, text), factsOf(app));

  it('finds the six apps', () => {
    expect(APPS).toEqual(['fulfilment-service', 'ledger-service', 'notification-service', 'order-service', 'payment-service', 'processor-sim']);
  });

  it.each(APPS)('%s: the canvas says what the code does', (app) => {
    expect(check(app, readCanvas(app).text)).toEqual([]);
  });

  // The check can fail: each case below is a canvas with one line changed.

  it('reports an event the Consumes table leaves out, naming the canvas, the section and the event', () => {
    const { text } = readCanvas('order-service');
    const line = text.split('\n').find((l) => l.startsWith('|') && l.includes('`PaymentVoided`'));
    expect(line).toBeDefined();
    expect(check('order-service', text.replace(`${line ?? ''}\n`, ''))).toEqual([
      'apps/order-service/README.md § Consumes: PaymentVoided is missing (it is handled by an @OnEvent of the code)',
    ]);
  });

  it('reports an event the Emits table leaves out, and one it lists that the code never emits', () => {
    const { text } = readCanvas('fulfilment-service');
    expect(text).toContain('`StockReleased` v1');
    expect(check('fulfilment-service', text.replace('`StockReleased` v1', '`StockRestocked` v1'))).toEqual([
      'apps/fulfilment-service/README.md § Emits: StockReleased is missing (it is appended to the outbox by the code)',
      'apps/fulfilment-service/README.md § Emits: StockRestocked is listed but not appended to the outbox by the code',
    ]);
  });

  it('reports a variable of the config schema the Configuration table leaves out', () => {
    const { text } = readCanvas('payment-service');
    const line = text.split('\n').find((l) => l.startsWith('| `IDEMPOTENCY_TTL_HOURS`'));
    expect(line).toBeDefined();
    expect(check('payment-service', text.replace(`${line ?? ''}\n`, ''))).toEqual([
      'apps/payment-service/README.md § Configuration: IDEMPOTENCY_TTL_HOURS is missing (it is in configSchema)',
    ]);
  });

  it('reports an event listed under a topic it is not on', () => {
    const { text } = readCanvas('ledger-service');
    const line = text.split('\n').find((l) => l.startsWith('| `fulfilment.events`') && l.includes('`ShipmentDispatched`'));
    expect(line).toBeDefined();
    expect(check('ledger-service', text.replace(line ?? '', (line ?? '').replace('`fulfilment.events`', '`payment.events`')))).toEqual([
      expect.stringMatching(/^apps\/ledger-service\/README\.md § Consumes: ShipmentDispatched is on fulfilment\.events, not payment\.events/),
    ]);
  });

  it('reports an invariant no migration creates', () => {
    const { text } = readCanvas('ledger-service');
    expect(text).toContain('`journal_one_per_fact`');
    expect(check('ledger-service', text.replace('`journal_one_per_fact`', '`journal_one_per_fakt`'))).toEqual([
      'apps/ledger-service/README.md § Invariants: journal_one_per_fakt is named here but created by no migration of the app (nor the shared tables)',
    ]);
  });

  it('reports headings out of the template', () => {
    const { text } = readCanvas('notification-service');
    expect(check('notification-service', text.replace('\n## Failpoints\n', '\n## Test-only crash points\n'))).toEqual([
      expect.stringMatching(/^apps\/notification-service\/README\.md § \(headings\): the ## headings are .*Test-only crash points/),
    ]);
  });

  it('reports a table kept in another shape', () => {
    const { text } = readCanvas('notification-service');
    expect(check('notification-service', text.replace('| topic | key | events |', '| topic | events |'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/§ Emits: the table at line \d+ has columns topic \| events; the template's are topic \| key \| events/)]),
    );
  });
});
