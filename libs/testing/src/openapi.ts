import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { RawResponse } from './http';

/** The part of an OpenAPI 3.1 document the response checks read. */
interface Document {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> } | undefined>>;
  components?: object;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** docs/openapi/<service>.json as committed. */
export function committedOpenApi(service: string): Document {
  return JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'openapi', `${service}.json`), 'utf8')) as Document;
}

/**
 * Checks real responses against an OpenAPI 3.1 document (JSON Schema 2020-12, ajv): the status
 * must be documented for the operation, the media type listed for that status, and the body valid
 * against its schema. Remembers which operation answered which status, for coverage.
 */
export class OpenApiResponseChecker {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  private readonly validators = new Map<string, ReturnType<Ajv2020['compile']>>();
  readonly seen = new Map<string, Set<number>>();

  constructor(readonly document: Document) {}

  /** Every problem of the response against the document; empty when it conforms. */
  problems(method: string, pathTemplate: string, response: RawResponse): string[] {
    const where = `${method.toUpperCase()} ${pathTemplate} → ${response.status}`;
    const operation = this.document.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) return [`${where}: the document has no such operation`];
    const described = operation.responses?.[String(response.status)];
    if (!described) return [`${where}: the status is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
    const key = `${method.toLowerCase()} ${pathTemplate}`;
    this.seen.set(key, (this.seen.get(key) ?? new Set()).add(response.status));
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const content = described.content ?? {};
    if (Object.keys(content).length === 0) return response.text === '' ? [] : [`${where}: a body the document does not describe`];
    const schema = content[mediaType]?.schema;
    if (!schema) return [`${where}: media type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`];
    const body: unknown = mediaType.endsWith('json') ? JSON.parse(response.text) : response.text;
    const validate = this.validator(`${key} ${response.status} ${mediaType}`, schema);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** Operations of the document that never answered a 2xx here. */
  withoutSuccess(): string[] {
    const methods = new Set(['get', 'put', 'post', 'delete', 'patch']);
    return Object.entries(this.document.paths)
      .flatMap(([p, item]) => Object.keys(item).filter((m) => methods.has(m)).map((m) => `${m} ${p}`))
      .filter((op) => ![...(this.seen.get(op) ?? [])].some((s) => s >= 200 && s < 300));
  }

  private validator(key: string, schema: object): ReturnType<Ajv2020['compile']> {
    let validate = this.validators.get(key);
    if (!validate) {
      // the response schema as the root, with the document's components beside it for its $refs
      validate = this.ajv.compile({ $id: `urn:openapi:${this.validators.size}`, ...schema, components: this.document.components ?? {} });
      this.validators.set(key, validate);
    }
    return validate;
  }
}
