import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** What an app's sources say it consumes and emits: event types, read by the type checker. */
export interface CodeFacts {
  /** Event types of its `@OnEvent(...)` handlers (and `defineHandler(...)` definitions). */
  consumes: ReadonlySet<string>;
  /** Event types it appends to its outbox, through `ctx.emit(...)` or `appendToOutbox(...)`. */
  emits: ReadonlySet<string>;
}

/** A contract argument the checker cannot pin to event types: the spec reports it rather than guess. */
export class UnresolvedContract extends Error {
  override readonly name = 'UnresolvedContract';
}

/** Where the messaging lib's sources live (the type checker names files with forward slashes). */
const MESSAGING_SRC = '/libs/messaging/src/';

/**
 * One program over the production sources of the given apps (specs and test/ left out: an int spec
 * that writes another service's events to an outbox is not that app emitting them). The workspace
 * libraries resolve to their sources, as in jest, so nothing needs a build first.
 */
export function readCodeFacts(repoRoot: string, apps: readonly string[]): Map<string, CodeFacts> {
  const rootsByApp = new Map(apps.map((app) => [app, sourceFiles(path.join(repoRoot, 'apps', app, 'src'))]));
  const program = createProgram(repoRoot, [...rootsByApp.values()].flat());
  const checker = program.getTypeChecker();
  const calls = new CallIndex(program, checker, [...rootsByApp.values()].flat());
  const facts = new Map<string, CodeFacts>();
  for (const [app, roots] of rootsByApp) {
    const consumes = new Set<string>();
    const emits = new Set<string>();
    for (const file of roots) {
      const source = program.getSourceFile(file);
      if (!source) throw new Error(`${file} is not part of the program`);
      visit(source, (node) => {
        // only calls that could be one of the four are given to the checker (it is the slow part)
        if (!ts.isCallExpression(node) || !SINKS.has(calleeName(checker, node) ?? '')) return;
        const callee = messagingDeclarationName(checker, node);
        const contracts = new ContractResolver(checker, calls);
        if (callee === UNRESOLVED) {
          // an `emit` of some untyped object is none of ours unless it is handed a contract
          if (calleeName(checker, node) === 'emit' && !isContract(checker, node.arguments[0])) return;
          throw contracts.unresolved(node, 'is a call the checker cannot resolve (its receiver is untyped?): it may emit or subscribe');
        }
        if (callee === 'OnEvent' && ts.isDecorator(node.parent)) addAll(consumes, contracts.ofArgument(node, 0));
        else if (callee === 'defineHandler') addAll(consumes, contracts.ofArgument(node, 0));
        else if (callee === 'emit') addAll(emits, contracts.ofArgument(node, 0));
        else if (callee === 'appendToOutbox') addAll(emits, contracts.ofOutboxEvents(node, 1));
      });
    }
    facts.set(app, { consumes, emits });
  }
  return facts;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

const LIB_FILES = new Map<string, ts.SourceFile>();

function createProgram(repoRoot: string, roots: string[]): ts.Program {
  const configFile = path.join(repoRoot, 'tsconfig.base.json');
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const json: unknown = read.config;
  const { options } = ts.parseJsonConfigFileContent(json, ts.sys, repoRoot, { noEmit: true, types: [] }, configFile);
  const host = ts.createCompilerHost(options, true);
  // TypeScript's own lib files (lib.es2022.d.ts …) are the bulk of the parsing and never change: parse them once per process
  const libDir = path.dirname(ts.getDefaultLibFilePath(options));
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.startsWith(libDir)) return parse(fileName, languageVersion, onError, shouldCreate);
    const key = `${fileName}@${JSON.stringify(languageVersion)}`;
    const cached = LIB_FILES.get(key) ?? parse(fileName, languageVersion, onError, shouldCreate);
    if (cached) LIB_FILES.set(key, cached);
    return cached;
  };
  // Only the workspace's own code is read: `@paystate/<lib>[/<entry>]` to the lib's sources (whatever its
  // package.json points at, so nothing needs a build) and relative imports. Third-party packages stay
  // unresolved (typed `any`): the questions asked here are about our contracts, and skipping Nest's,
  // TypeORM's and zod's declarations makes the program several times faster.
  host.resolveModuleNameLiterals = (literals, containingFile) =>
    literals.map(({ text }) => {
      const own = /^@paystate\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(text);
      const base = own ? path.join(repoRoot, 'libs', own[1] ?? '', 'src', own[2] ?? 'index') : text.startsWith('.') ? path.resolve(path.dirname(containingFile), text) : undefined;
      const found = base === undefined ? undefined : [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
      return { resolvedModule: found ? { resolvedFileName: found, extension: ts.Extension.Ts, isExternalLibraryImport: false } : undefined };
    });
  return ts.createProgram({ rootNames: roots, options, host });
}

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  ts.forEachChild(node, (child) => visit(child, fn));
}

function addAll(into: Set<string>, from: Iterable<string>): void {
  for (const x of from) into.add(x);
}

/** The messaging functions that subscribe to (first two) or emit (last two) events. */
const SINKS = new Set(['OnEvent', 'defineHandler', 'emit', 'appendToOutbox']);

/** The name the callee is declared with, seen through an import alias; cheap (no signature resolution). */
function calleeName(checker: ts.TypeChecker, call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (!ts.isIdentifier(callee)) return undefined;
  const symbol = checker.getSymbolAtLocation(callee);
  if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return callee.text;
  // the name it is exported under: from the import itself when the module did not resolve
  const specifier = symbol.declarations?.find(ts.isImportSpecifier);
  return specifier ? (specifier.propertyName ?? specifier.name).text : checker.getAliasedSymbol(symbol).name;
}

const UNRESOLVED = Symbol('unresolved');

/** The name of the called function or method when it is declared in libs/messaging; UNRESOLVED when the checker cannot tell. */
function messagingDeclarationName(checker: ts.TypeChecker, call: ts.CallExpression): string | typeof UNRESOLVED | undefined {
  const declaration = checker.getResolvedSignature(call)?.getDeclaration();
  if (!declaration) return UNRESOLVED;
  if (!declaration.getSourceFile().fileName.includes(MESSAGING_SRC)) return undefined;
  const name = 'name' in declaration ? declaration.name : undefined;
  if (name && ts.isIdentifier(name)) return name.text;
  // `export const OnEvent = (contract) => …`: the arrow function's name is its variable's
  const parent = declaration.parent;
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
}

/** The calls in the apps' sources of a given function: who passes what to its parameters. */
class CallIndex {
  private readonly byName = new Map<string, ts.CallExpression[]>();

  constructor(
    program: ts.Program,
    private readonly checker: ts.TypeChecker,
    files: readonly string[],
  ) {
    for (const file of files) {
      const source = program.getSourceFile(file);
      if (!source) continue;
      visit(source, (node) => {
        const name = ts.isCallExpression(node) ? calleeName(checker, node) : undefined;
        if (!name || !ts.isCallExpression(node)) return;
        this.byName.set(name, [...(this.byName.get(name) ?? []), node]);
      });
    }
  }

  callsOf(fn: ts.SignatureDeclaration): readonly ts.CallExpression[] {
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
    if (!name) return [];
    // by name first (cheap), then only the calls that really resolve to this declaration
    return (this.byName.get(name) ?? []).filter((call) => this.checker.getResolvedSignature(call)?.getDeclaration() === fn);
  }
}

/**
 * The event types a contract expression can be. The type checker answers first: a contract's type
 * carries its event type as a literal (`EventContract<'OrderPlaced', …>`), and a union of contracts
 * all of them. Where the type is only `EventContract` (a generic helper's parameter), the callers of
 * that helper are asked in turn. Anything else is reported, never guessed.
 */
class ContractResolver {
  private readonly seen = new Set<ts.Node>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly calls: CallIndex,
  ) {}

  ofArgument(call: ts.CallExpression, index: number): Set<string> {
    const arg = call.arguments[index];
    if (!arg) throw this.unresolved(call, `has no argument ${index + 1}`);
    return this.ofExpression(arg);
  }

  /** `appendToOutbox(manager, events)`: the `contract` of each element of the array. */
  ofOutboxEvents(call: ts.CallExpression, index: number): Set<string> {
    const arg = call.arguments[index];
    if (!arg) throw this.unresolved(call, `has no argument ${index + 1}`);
    if (ts.isArrayLiteralExpression(arg)) {
      const types = new Set<string>();
      for (const element of arg.elements) {
        const contract = ts.isObjectLiteralExpression(element) ? contractProperty(element) : undefined;
        addAll(types, contract ? this.ofExpression(contract) : this.ofEventsType(element, this.checker.getTypeAtLocation(element)));
      }
      return types;
    }
    const arrayType = this.checker.getTypeAtLocation(arg);
    const elementType = this.checker.getIndexTypeOfType(arrayType, ts.IndexKind.Number);
    if (!elementType) throw this.unresolved(arg, 'is not an array of outbox events');
    return this.ofEventsType(arg, elementType);
  }

  private ofEventsType(at: ts.Node, eventType: ts.Type): Set<string> {
    const types = new Set<string>();
    for (const member of members(eventType)) {
      const contract = member.getProperty('contract');
      const literal = contract && eventTypesOf(this.checker, this.checker.getTypeOfSymbol(contract));
      if (!literal) throw this.unresolved(at, 'carries a contract whose event type the checker cannot tell');
      addAll(types, literal);
    }
    return types;
  }

  private ofExpression(expr: ts.Expression): Set<string> {
    const literal = eventTypesOf(this.checker, this.checker.getTypeAtLocation(expr));
    if (literal) return literal;
    const parameter = parameterOf(this.checker, expr);
    if (parameter && !this.seen.has(parameter.declaration)) {
      this.seen.add(parameter.declaration);
      const callers = this.calls.callsOf(parameter.fn);
      if (callers.length === 0) throw this.unresolved(expr, `is a parameter of a function nobody calls in the app`);
      const types = new Set<string>();
      for (const caller of callers) addAll(types, this.ofArgument(caller, parameter.index));
      return types;
    }
    throw this.unresolved(expr, 'is typed only as EventContract: pass the contract itself, or type it precisely');
  }

  unresolved(node: ts.Node, why: string): UnresolvedContract {
    const source = node.getSourceFile();
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    return new UnresolvedContract(`${source.fileName}:${line + 1}: \`${node.getText().slice(0, 80)}\` ${why}`);
  }
}

function contractProperty(object: ts.ObjectLiteralExpression): ts.Expression | undefined {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'contract') return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'contract') return p.name;
  }
  return undefined;
}

function members(type: ts.Type): readonly ts.Type[] {
  return type.isUnion() ? type.types : [type];
}

/** The literal event types of a contract type (each member of a union), or undefined if any is wider. */
function eventTypesOf(checker: ts.TypeChecker, type: ts.Type): Set<string> | undefined {
  const types = new Set<string>();
  for (const member of members(type)) {
    const property = member.getProperty('type');
    if (!property) return undefined;
    const literal = checker.getTypeOfSymbol(property);
    if (!literal.isStringLiteral()) return undefined;
    types.add(literal.value);
  }
  return types;
}

/** Whether an expression's type looks like a contract: a literal event type and a version. */
function isContract(checker: ts.TypeChecker, expr: ts.Expression | undefined): boolean {
  if (!expr) return false;
  const type = checker.getTypeAtLocation(expr);
  return eventTypesOf(checker, type) !== undefined && type.getProperty('version') !== undefined;
}

/** When `expr` names a parameter of a function or method: which one, and of what. */
function parameterOf(checker: ts.TypeChecker, expr: ts.Expression): { fn: ts.SignatureDeclaration; index: number; declaration: ts.ParameterDeclaration } | undefined {
  if (!ts.isIdentifier(expr)) return undefined;
  const declaration = checker.getSymbolAtLocation(expr)?.valueDeclaration;
  if (!declaration || !ts.isParameter(declaration) || !ts.isFunctionLike(declaration.parent)) return undefined;
  return { fn: declaration.parent, index: declaration.parent.parameters.indexOf(declaration), declaration };
}
