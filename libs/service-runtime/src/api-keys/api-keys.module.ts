import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';

/** Import it once in a service's root module: every HTTP route then needs an API key (see ApiKeyGuard). */
@Module({ providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }] })
export class ApiKeysModule {}
