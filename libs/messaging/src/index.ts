// The framework-free core. The NestJS adapter is a separate entry point: @paystate/messaging/nest.
export * from './derived-id';
export * from './headers';
export * from './logger';
export * from './metrics';
export * from './messaging-schema';
export * from './outbox/outbox';
export * from './inbox/consumed-event';
export * from './inbox/record-parser';
export * from './inbox/record-processor';
export * from './inbox/idempotent-consumer';
export * from './inbox/partition-merge';
export * from './inbox/co-partitioned-assigner';
export * from './inbox/dead-letter-store';
export * from './inbox/dead-letter-redrive';
export * from './inbox/inbox-retention';
export * from './inbox/consumer-health';
