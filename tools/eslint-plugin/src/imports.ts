import { AST_NODE_TYPES, TSESTree } from '@typescript-eslint/utils';
import * as path from 'node:path';

/** The local names under which a module's export is reachable in one file. */
export interface ImportedBinding {
  /** specifiers of the export itself, aliases included: `import { OnEvent as On }` */
  specifiers: TSESTree.ImportSpecifier[];
  /** namespace imports of the module: `import * as m` (then `m.OnEvent`) */
  namespaces: TSESTree.ImportNamespaceSpecifier[];
}

const exportedName = (s: TSESTree.ImportSpecifier): string =>
  s.imported.type === AST_NODE_TYPES.Identifier ? s.imported.name : s.imported.value;

/** Where `exported` of one of `sources` is bound in `program` (value imports only: a type cannot be called). */
export function findImport(program: TSESTree.Program, sources: readonly string[], exported: string): ImportedBinding {
  const binding: ImportedBinding = { specifiers: [], namespaces: [] };
  for (const statement of program.body) {
    if (statement.type !== AST_NODE_TYPES.ImportDeclaration || statement.importKind === 'type') continue;
    if (!sources.includes(statement.source.value)) continue;
    for (const s of statement.specifiers) {
      if (s.type === AST_NODE_TYPES.ImportSpecifier && s.importKind !== 'type' && exportedName(s) === exported) binding.specifiers.push(s);
      if (s.type === AST_NODE_TYPES.ImportNamespaceSpecifier) binding.namespaces.push(s);
    }
  }
  return binding;
}

/** `name`, `ns.name` or `ns['name']`, where `name`/`ns` are the binding's local names. */
export function refersTo(node: TSESTree.Node, binding: ImportedBinding, exported: string): boolean {
  if (node.type === AST_NODE_TYPES.Identifier) return binding.specifiers.some((s) => s.local.name === node.name);
  if (node.type !== AST_NODE_TYPES.MemberExpression || node.object.type !== AST_NODE_TYPES.Identifier) return false;
  const object = node.object.name;
  return binding.namespaces.some((n) => n.local.name === object) && memberName(node) === exported;
}

/** The static name of a member access (`a.b`, `a['b']`), or undefined when it is computed. */
export function memberName(node: TSESTree.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  if (node.computed && node.property.type === AST_NODE_TYPES.Literal && typeof node.property.value === 'string') return node.property.value;
  return undefined;
}

/** The file's path from the directory ESLint runs in (the repository root), with forward slashes. */
export function repoPath(filename: string, cwd: string): string {
  return path.relative(cwd, filename).split(path.sep).join('/');
}
