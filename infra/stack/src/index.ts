// Programmatic API of the native stack runner, for the test harness (libs/testing) and scripts.
// Typical use in a jest global setup:
//   const info = process.env.PAYSTATE_TEST_STACK ? readStackInfo('test') : await startStack({ profile: 'test', services: false });
export { startStack } from './start';
export type { StartOptions } from './start';
export { stopStack, resetStack } from './stop';
export { readStackInfo, readStackState, stackStatus } from './status';
export type { ComponentStatus } from './status';
export { startServiceProcess } from './service-process';
export type { ServiceProcess, ExitInfo } from './service-process';
export { defaultLogger } from './logging';
export type { Logger } from './logging';
export * from './nemesis';
export type { StackInfo, ServiceInfo, StackState } from './state';
export { SERVICES, findService, serviceEnv, serviceDatabaseUrl, servicePort } from './services';
export type { ServiceDefinition, ServiceEnvContext } from './services';
export { DOMAIN_TOPICS, DOMAIN_TOPIC_CONFIG, ensureTopics, describeTopicConfigs } from './kafka';
export { connectorStatus } from './connect';
export type { ConnectorStatus } from './connect';
export { PROFILES, StackError, infraPorts, resolveProfile, smtpSinkPorts } from './profile';
export { startSmtpSink } from './smtp-sink/sink';
export type { SmtpSink, SmtpSinkOptions } from './smtp-sink/sink';
export type { ChaosTrigger, ChaosTriggers } from './smtp-sink/chaos';
export type { ProfileName, InfraPorts } from './profile';
