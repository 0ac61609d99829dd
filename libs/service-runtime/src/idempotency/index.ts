export * from './idempotency-key';
export * from './idempotency-tables';
export * from './idempotent-response';
export * from './idempotency.store';
export * from './idempotency.interceptor';
export * from './idempotency.module';
