// Programmatic API of the native stack runner, for the test harness (libs/testing) and scripts.
// Typical use in a jest global setup:
//   const info = process.env.PAYSTATE_TEST_STACK ? readStackInfo('test') : await startStack({ profile: 'test', services: false });
export {
  startStack,
  stopStack,
  readStackInfo,
  readStackState,
  resetStack,
  stackStatus,
  startConnect,
  stopConnect,
  restartConnect,
  startServiceProcess,
  defaultLogger,
} from './stack';
export type { StartOptions, ServiceProcess, ExitInfo, Logger, ComponentStatus } from './stack';
export type { StackInfo, ServiceInfo, StackState } from './state';
export { SERVICES, findService, serviceEnv, serviceDatabaseUrl, servicePort } from './services';
export type { ServiceDefinition, ServiceEnvContext } from './services';
export { DOMAIN_TOPICS } from './kafka';
export { connectorStatus } from './connect';
export type { ConnectorStatus } from './connect';
export { PROFILES, StackError, infraPorts, resolveProfile, smtpSinkPorts } from './profile';
export { startSmtpSink } from './smtp-sink/sink';
export type { SmtpSink, SmtpSinkOptions } from './smtp-sink/sink';
export type { ProfileName, InfraPorts } from './profile';
