export * from './problem-details';
export * from './zod-body.pipe';
export * from './database.module';
export * from './health';
export * from './metrics';
export * from './service-runtime.module';
export * from './bootstrap';
