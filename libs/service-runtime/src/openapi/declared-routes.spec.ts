import { Controller, Delete, Get, Module, Post, Put } from '@nestjs/common';
import { declaredRoutes, routeDrift } from './declared-routes';

@Controller('things')
class ThingsController {
  @Get(':id')
  one(): void {}

  @Post()
  add(): void {}

  /** not a route: no method decorator */
  helper(): void {}
}

@Controller()
class RootController {
  @Put('stock/:sku')
  put(): void {}

  @Delete(['a', 'b/:x'])
  remove(): void {}
}

@Module({ controllers: [RootController] })
class ImportedModule {}

@Module({})
class AppModule {}

const app = { module: AppModule, imports: [ImportedModule, { module: class Empty {} }], controllers: [ThingsController] };

describe('declaredRoutes', () => {
  it('finds the routes of the module and of every module it imports, in OpenAPI path form', () => {
    expect(declaredRoutes(app).map((r) => `${r.method} ${r.path}`).sort()).toEqual(['delete /a', 'delete /b/{x}', 'get /things/{id}', 'post /things', 'put /stock/{sku}']);
  });

  it('reports a route the document lacks, and an operation no controller declares', () => {
    const document = { paths: { '/things/{id}': { get: {} }, '/things': { post: {} }, '/stock/{sku}': { put: {}, get: {} }, '/a': { delete: {} } } };
    expect(routeDrift(app, document)).toEqual({ undocumented: ['delete /b/{x}'], undeclared: ['get /stock/{sku}'] });
  });
});

describe('declaredRoutes of a controller that extends a base controller (as stuckSagasController makes them)', () => {
  class BaseEndpoints {
    @Get('stuck')
    stuck(): void {}
  }

  @Controller('sagas')
  class SagasController extends BaseEndpoints {
    @Post(':orderId/acknowledge')
    acknowledge(): void {}
  }

  it('counts the base class routes under the subclass prefix', () => {
    expect(declaredRoutes({ module: AppModule, controllers: [SagasController] }).map((r) => `${r.method} ${r.path}`).sort()).toEqual(['get /sagas/stuck', 'post /sagas/{orderId}/acknowledge']);
  });
});
