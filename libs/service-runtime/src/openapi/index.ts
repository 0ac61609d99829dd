export * from './openapi-schemas';
export * from './openapi-document';
export * from './openapi.module';
export * from './declared-routes';
export * from './saga-monitor-paths';
