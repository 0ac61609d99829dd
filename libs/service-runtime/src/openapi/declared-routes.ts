import type { DynamicModule, Type } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';

export interface DeclaredRoute {
  /** lower case, as in an OpenAPI path item: get, post, put, delete … */
  method: string;
  /** OpenAPI form: /orders/{id}/timeline */
  path: string;
  controller: string;
}

type ModuleLike = Type<unknown> | DynamicModule | Promise<DynamicModule> | undefined;

const isDynamic = (m: object): m is DynamicModule => 'module' in m;
/** A controller's or handler's path metadata: a string, a list of them, or none. */
const paths = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : [value ?? '']);

function join(...parts: string[]): string {
  const path = parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s !== '')
    .map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s))
    .join('/');
  return `/${path}`;
}

/** The controllers a module mounts: its own and those of every module it imports, recursively. */
function controllersOf(root: ModuleLike, seen = new Set<unknown>()): Type<unknown>[] {
  if (!root || root instanceof Promise || seen.has(root)) return [];
  seen.add(root);
  const cls = isDynamic(root) ? root.module : root;
  const read = <T>(key: string): T[] => (Reflect.getMetadata(key, cls) as T[] | undefined) ?? [];
  const controllers = [...read<Type<unknown>>(MODULE_METADATA.CONTROLLERS), ...(isDynamic(root) ? (root.controllers ?? []) : [])];
  const imports = [...read<ModuleLike>(MODULE_METADATA.IMPORTS), ...(isDynamic(root) ? ((root.imports ?? []) as ModuleLike[]) : [])];
  return [...controllers, ...imports.flatMap((m) => controllersOf(m, seen))];
}

/** The method names of a prototype and of the classes it extends, as Nest scans them (a base controller's routes count). */
function methodNames(proto: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) names.add(name);
  }
  return [...names];
}

/**
 * Every HTTP route the module's controllers declare (Kafka handlers have none), read from Nest's
 * decorator metadata: what the tests compare with the OpenAPI document.
 */
export function declaredRoutes(root: Type<unknown> | DynamicModule): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const controller of new Set(controllersOf(root))) {
    const prefixes = paths(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of methodNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      for (const prefix of prefixes) {
        for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined)) {
          routes.push({ method: RequestMethod[method].toLowerCase(), path: join(prefix, path), controller: controller.name });
        }
      }
    }
  }
  return routes;
}

/** The operations of a document as `get /orders/{id}` strings. */
export function documentedRoutes(document: { paths?: Record<string, object | undefined> }): string[] {
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) => Object.keys(item ?? {}).filter((k) => methods.has(k)).map((m) => `${m} ${path}`));
}

/** Routes a module declares that the document lacks, and operations the document has that no controller declares. */
export function routeDrift(root: Type<unknown> | DynamicModule, document: { paths?: Record<string, object | undefined> }): { undocumented: string[]; undeclared: string[] } {
  const declared = new Set(declaredRoutes(root).map((r) => `${r.method} ${r.path}`));
  const documented = new Set(documentedRoutes(document));
  return { undocumented: [...declared].filter((r) => !documented.has(r)).sort(), undeclared: [...documented].filter((r) => !declared.has(r)).sort() };
}
