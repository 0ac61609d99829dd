// Faults are injected at the I/O seams, not in business code (house review §3.4): the named unit of
// work and the consumer wrapper in libs/, the outbound adapters in apps/*/src/infrastructure/. A
// failpoint call in domain or application code couples a use case to the test harness.
//
// Test files get no exemption: a test arms points by name (the catalogue, the one env variable) in
// the process it starts; it has no reason to fire one itself, except the lib's own specs, which are
// under libs/. Importing the catalogue or the names anywhere stays allowed: only `failpoint` is checked.
import { AST_NODE_TYPES, TSESLint, TSESTree } from '@typescript-eslint/utils';
import { createRule } from '../create-rule';
import { memberName, repoPath } from '../imports';

const SOURCE = '@paystate/failpoints';
const FIRE = 'failpoint';
/** The seams, as paths from the repository root. */
const SEAMS = [/^libs\//, /^apps\/[^/]+\/src\/infrastructure\//];
/** Only the lib itself reaches its build files; everyone else gets the build the conditions choose. */
const OWN_FILES = /^libs\/failpoints\//;

export const failpointAtSeams = createRule({
  name: 'failpoint-at-seams',
  meta: {
    type: 'problem',
    docs: { description: 'failpoint() from @paystate/failpoints is called only at the I/O seams; no import reaches into the package past its entry.' },
    schema: [],
    messages: {
      outsideSeam:
        "'{{what}}' outside the seams: failpoints fire only in libs/ (the unit of work, the consumer wrapper) and in " +
        'apps/*/src/infrastructure/ (the outbound adapters). Put the point into the adapter or unit of work this code goes ' +
        'through; domain and application code hold no fault calls.',
      reexport: "Re-exporting '{{what}}' outside the seams hands failpoint() to code that may not call it; import it at the seam itself.",
      subpath:
        "Import '@paystate/failpoints', not '{{source}}': its conditional exports choose the armed or the inert build, so " +
        'only a process started with the test condition can arm a point.',
    },
  },
  defaultOptions: [],
  create(context) {
    const file = repoPath(context.filename, context.cwd);
    const atSeam = SEAMS.some((s) => s.test(file));
    const ownFile = OWN_FILES.test(file);
    const sourceCode = context.sourceCode;

    const checkSource = (node: TSESTree.Node | null | undefined): void => {
      if (ownFile || node?.type !== AST_NODE_TYPES.Literal || typeof node.value !== 'string') return;
      if (node.value.startsWith(`${SOURCE}/`)) context.report({ node, messageId: 'subpath', data: { source: node.value } });
    };

    /** The expression to report for one use of the binding: the whole call when it is called. */
    const reportUse = (use: TSESTree.Node): void => {
      let node = use;
      const parent = node.parent;
      // failpoint.async(...) (or ns.failpoint.async(...)): report the call of the member
      if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === node && parent.parent?.type === AST_NODE_TYPES.CallExpression && parent.parent.callee === parent) {
        node = parent.parent;
      } else if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === node) {
        node = parent;
      }
      const what = node.type === AST_NODE_TYPES.CallExpression ? `${sourceCode.getText(node.callee)}()` : sourceCode.getText(use);
      context.report({ node, messageId: 'outsideSeam', data: { what } });
    };

    /** `typeof failpoint` (or `typeof failpoint.async`) in a type names the function without calling it. */
    const inTypeQuery = (node: TSESTree.Node): boolean => {
      let n: TSESTree.Node | undefined = node.parent;
      while (n?.type === AST_NODE_TYPES.TSQualifiedName) n = n.parent;
      return n?.type === AST_NODE_TYPES.TSTypeQuery;
    };
    const valueReferences = (node: TSESTree.Node): TSESLint.Scope.Reference[] =>
      sourceCode.getDeclaredVariables(node).flatMap((v) => v.references.filter((r) => r.isValueReference && !inTypeQuery(r.identifier)));

    return {
      ImportDeclaration(node) {
        checkSource(node.source);
        if (atSeam || node.source.value !== SOURCE || node.importKind === 'type') return;
        for (const s of node.specifiers) {
          if (s.type === AST_NODE_TYPES.ImportSpecifier && s.importKind !== 'type') {
            const imported = s.imported.type === AST_NODE_TYPES.Identifier ? s.imported.name : s.imported.value;
            if (imported === FIRE) for (const r of valueReferences(s)) reportUse(r.identifier);
          } else if (s.type === AST_NODE_TYPES.ImportNamespaceSpecifier) {
            for (const r of valueReferences(s)) {
              const member = r.identifier.parent;
              if (member?.type === AST_NODE_TYPES.MemberExpression && member.object === r.identifier && memberName(member) === FIRE) reportUse(member);
            }
          }
        }
      },
      ExportNamedDeclaration(node) {
        checkSource(node.source);
        if (atSeam || node.source?.value !== SOURCE) return;
        for (const s of node.specifiers) {
          const local = s.local.type === AST_NODE_TYPES.Identifier ? s.local.name : s.local.value;
          if (local === FIRE) context.report({ node: s, messageId: 'reexport', data: { what: FIRE } });
        }
      },
      ExportAllDeclaration(node) {
        checkSource(node.source);
        if (!atSeam && node.source.value === SOURCE && node.exportKind !== 'type') context.report({ node, messageId: 'reexport', data: { what: `export * from '${SOURCE}'` } });
      },
      ImportExpression(node) {
        checkSource(node.source);
      },
      TSExternalModuleReference(node) {
        checkSource(node.expression);
      },
      CallExpression(node) {
        if (node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'require') checkSource(node.arguments[0]);
      },
    };
  },
});
