import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnresolvedContract, readCodeFacts } from './code-facts';

// readCodeFacts on a workspace of a few files: the shapes of emitting and subscribing it must see
// through, and the one it must refuse to guess.

const MESSAGING = `
export interface EventContract<T extends string = string> { readonly type: T; readonly version: number }
export interface HandlerContext { emit<C extends EventContract>(contract: C, payload: unknown): void }
export interface OutboxEvent { contract: EventContract; payload: unknown }
export async function appendToOutbox(manager: unknown, events: readonly OutboxEvent[]): Promise<string[]> { return events.map(() => String(manager)); }
export const OnEvent = (contract: EventContract): MethodDecorator => () => { void contract; };
`;

const CONTRACTS = `
import type { EventContract } from '@paystate/messaging';
const defineEvent = <T extends string>(type: T): EventContract<T> => ({ type, version: 1 });
export const ThingMadeV1 = defineEvent('ThingMade');
export const ThingBrokenV1 = defineEvent('ThingBroken');
export const ThingAskedV1 = defineEvent('ThingAsked');
export const ALL: EventContract[] = [ThingMadeV1, ThingBrokenV1, ThingAskedV1];
`;

function workspace(app: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'canvas-check-'));
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('tsconfig.base.json', JSON.stringify({ compilerOptions: { strict: true, experimentalDecorators: true, target: 'ES2022', module: 'commonjs' } }));
  write('libs/messaging/src/index.ts', MESSAGING);
  write('libs/contracts/src/index.ts', CONTRACTS);
  for (const [file, text] of Object.entries(app)) write(`apps/demo/src/${file}`, text);
  return root;
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function factsOf(app: Record<string, string>) {
  const root = workspace(app);
  roots.push(root);
  return readCodeFacts(root, ['demo']).get('demo');
}

describe('readCodeFacts', () => {
  it('sees @OnEvent through an import alias, ctx.emit, and appendToOutbox of an array literal', () => {
    const facts = factsOf({
      'consumer.ts': `
        import { OnEvent as Subscribe, HandlerContext, appendToOutbox } from '@paystate/messaging';
        import { ThingAskedV1, ThingMadeV1, ThingBrokenV1 } from '@paystate/contracts';
        export class Consumer {
          @Subscribe(ThingAskedV1)
          async on(ctx: HandlerContext): Promise<void> {
            ctx.emit(ThingMadeV1, {});
            await appendToOutbox(null, [{ contract: ThingBrokenV1, payload: {} }]);
          }
        }`,
    });
    expect(facts).toEqual({ consumes: new Set(['ThingAsked']), emits: new Set(['ThingMade', 'ThingBroken']) });
  });

  it('follows a contract through a generic helper to the helper’s callers', () => {
    const facts = factsOf({
      'emit-own.ts': `
        import type { EventContract, HandlerContext } from '@paystate/messaging';
        import { ThingMadeV1, ThingBrokenV1 } from '@paystate/contracts';
        function emitOwn<C extends EventContract>(ctx: HandlerContext, contract: C): void { ctx.emit(contract, {}); }
        export function both(ctx: HandlerContext): void { emitOwn(ctx, ThingMadeV1); emitOwn(ctx, ThingBrokenV1); }`,
    });
    expect(facts?.emits).toEqual(new Set(['ThingMade', 'ThingBroken']));
  });

  it('reads a union of contracts in the outbox events’ type', () => {
    const facts = factsOf({
      'union.ts': `
        import { appendToOutbox } from '@paystate/messaging';
        import { ThingMadeV1, ThingBrokenV1 } from '@paystate/contracts';
        type Pending = { contract: typeof ThingMadeV1; payload: unknown } | { contract: typeof ThingBrokenV1; payload: unknown };
        export const write = (events: Pending[]) => appendToOutbox(null, events.map((e) => ({ ...e, extra: 1 })));`,
    });
    expect(facts?.emits).toEqual(new Set(['ThingMade', 'ThingBroken']));
  });

  it('refuses a subscription whose decorator comes from a module it cannot read', () => {
    expect(() =>
      factsOf({
        'lost.ts': `import { OnEvent } from '@paystate/messaging/elsewhere';\nimport { ThingAskedV1 } from '@paystate/contracts';\nexport class C {\n  @OnEvent(ThingAskedV1) on(): void {}\n}`,
      }),
    ).toThrow(/lost\.ts:4: .* is a call the checker cannot resolve/);
  });

  it('refuses a contract typed only as EventContract, naming the file and line', () => {
    expect(() =>
      factsOf({
        'wide.ts': `
          import { HandlerContext } from '@paystate/messaging';
          import { ALL } from '@paystate/contracts';
          export function any(ctx: HandlerContext): void {
            for (const c of ALL) ctx.emit(c, {});
          }`,
      }),
    ).toThrow(UnresolvedContract);
    expect(() => factsOf({ 'wide.ts': `import { HandlerContext } from '@paystate/messaging';\nimport { ALL } from '@paystate/contracts';\nexport const f = (ctx: HandlerContext) => ctx.emit(ALL[0]!, {});` })).toThrow(
      /apps\/demo\/src\/wide\.ts:3: `ALL\[0\]!` is typed only as EventContract/,
    );
  });

  it('refuses an emit of a contract whose receiver the checker cannot type, and lets an untyped emitter’s own emit be', () => {
    expect(() => factsOf({ 'untyped.ts': `import { ThingMadeV1 } from '@paystate/contracts';\nexport const f = (ctx: any) => ctx.emit(ThingMadeV1, {});` })).toThrow(
      /untyped\.ts:2: .* is a call the checker cannot resolve/,
    );
    expect(factsOf({ 'emitter.ts': `import { EventEmitter } from 'node:events';\nexport const f = (e: EventEmitter) => e.emit('close');` })).toEqual({ consumes: new Set(), emits: new Set() });
  });
});
