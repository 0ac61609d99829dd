// @paystate/messaging/nest: the NestJS adapter, on its own entry point so the core
// (@paystate/messaging) never loads Nest.
export * from './inbox-transport';
