// Replay-safe ids (ADR 0014, libs/messaging/README.md): whatever a consumer creates in reaction to an
// event gets an id derived from the cause, so that a replay re-creates the same rows and re-emits the
// same event ids. A random id in a use case or in the domain breaks that silently; this rule makes it
// an error. The few ids caused by an HTTP request (an order placed, a refund asked for) are never
// replayed from Kafka: they carry `// eslint-disable-next-line paystate/no-random-ids-in-handlers --
// <why>` at the call, so every exception is visible and explained.
//
// The rule knows its scope itself: apps/*/src/application/** and apps/*/src/domain/**, except
// apps/processor-sim (an external party's simulator, not a consumer) and unit specs.
import { AST_NODE_TYPES, TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule';
import { memberName, repoPath } from '../imports';

const IN_SCOPE = /^apps\/(?!processor-sim\/)[^/]+\/src\/(application|domain)\//;
const SPEC = /\.spec\.ts$/;
/** Where each random-id function comes from. uuid's v1, v6 and v7 are time-based (with random bits): no better for a replay than v4. */
const SOURCES: Record<string, readonly string[]> = {
  'node:crypto': ['randomUUID'],
  crypto: ['randomUUID'],
  uuid: ['v1', 'v4', 'v6', 'v7'],
};

export const noRandomIdsInHandlers = createRule({
  name: 'no-random-ids-in-handlers',
  meta: {
    type: 'problem',
    docs: { description: 'No random ids (randomUUID, crypto.randomUUID, uuid v4) in application or domain code: ids derive from their cause.' },
    schema: [],
    messages: {
      random:
        "'{{what}}' makes a random id: a replay would create this row or event again under another id, and no inbox " +
        'downstream would recognise it. Derive the id from its cause: ctx.deriveId(purpose) in a handler, derivedId(...) ' +
        'from @paystate/messaging elsewhere (ADR 0014). An id caused by an HTTP request (never replayed from Kafka) may stay ' +
        'random with `// eslint-disable-next-line paystate/no-random-ids-in-handlers -- <why>`.',
    },
  },
  defaultOptions: [],
  create(context) {
    const file = repoPath(context.filename, context.cwd);
    if (!IN_SCOPE.test(file) || SPEC.test(file)) return {};
    const sourceCode = context.sourceCode;

    /** The expression to report for one use: the call when it is called, else the reference itself. */
    const report = (use: TSESTree.Node): void => {
      const parent = use.parent;
      const node = parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === use ? parent : use;
      const what = node.type === AST_NODE_TYPES.CallExpression ? `${sourceCode.getText(node.callee)}()` : sourceCode.getText(use);
      context.report({ node, messageId: 'random', data: { what } });
    };
    const valueReferences = (node: TSESTree.Node): TSESLint.Scope.Reference[] =>
      sourceCode.getDeclaredVariables(node).flatMap((v) => v.references.filter((r) => r.isValueReference));

    return {
      ImportDeclaration(node) {
        const banned = SOURCES[node.source.value];
        if (!banned || node.importKind === 'type') return;
        for (const s of node.specifiers) {
          if (s.type === AST_NODE_TYPES.ImportSpecifier && s.importKind !== 'type') {
            const imported = s.imported.type === AST_NODE_TYPES.Identifier ? s.imported.name : s.imported.value;
            if (banned.includes(imported)) for (const r of valueReferences(s)) report(r.identifier);
          } else {
            // import * as crypto from 'node:crypto', import crypto from 'crypto', import * as uuid from 'uuid'
            for (const r of valueReferences(s)) {
              const member = r.identifier.parent;
              if (member?.type === AST_NODE_TYPES.MemberExpression && member.object === r.identifier && banned.includes(memberName(member) ?? '')) report(member);
            }
          }
        }
      },
      // the global Web Crypto object: crypto.randomUUID() / globalThis.crypto.randomUUID()
      MemberExpression(node) {
        if (memberName(node) !== 'randomUUID') return;
        const object = node.object;
        const isGlobalCrypto =
          (object.type === AST_NODE_TYPES.Identifier && object.name === 'crypto' && !declaredLocally(sourceCode.getScope(node), 'crypto')) ||
          (object.type === AST_NODE_TYPES.MemberExpression && object.object.type === AST_NODE_TYPES.Identifier && object.object.name === 'globalThis' && memberName(object) === 'crypto');
        if (isGlobalCrypto) report(node);
      },
    };
  },
});

/** Whether `name` resolves to a binding of this file (an import, a parameter, a variable) rather than the global. */
function declaredLocally(scope: TSESLint.Scope.Scope, name: string): boolean {
  for (let s: TSESLint.Scope.Scope | null = scope; s; s = s.upper) {
    const variable = s.set.get(name);
    if (variable && variable.defs.length > 0) return true;
  }
  return false;
}
