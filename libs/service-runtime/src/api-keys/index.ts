export * from './api-key';
export * from './api-key-tables';
export * from './api-key.store';
export * from './api-key.guard';
export * from './api-keys.module';
export * from './create-api-key-cli';
