export * from './api-key';
export * from './api-key-tables';
export * from './api-key.store';
export * from './api-key.guard';
export * from './api-keys.module';
