import { Controller, DynamicModule, Get, Inject, Module } from '@nestjs/common';
import { PublicEndpoint } from '../api-keys/api-key.guard';
import type { OpenApiDocument } from './openapi-document';

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

/**
 * GET /openapi.json: the service's OpenAPI document, without an API key. It says what the API
 * accepts and answers, nothing a key protects, and a client reads it before it has a key.
 */
@Controller('openapi.json')
@PublicEndpoint()
export class OpenApiController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {}

  @Get()
  get(): OpenApiDocument {
    return this.document;
  }
}

@Module({})
export class OpenApiModule {
  /** Serves the document `build` returns (built once, at start). */
  static serve(build: () => OpenApiDocument): DynamicModule {
    return { module: OpenApiModule, controllers: [OpenApiController], providers: [{ provide: OPENAPI_DOCUMENT, useFactory: build }] };
  }
}
