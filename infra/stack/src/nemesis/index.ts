export { COMPONENTS, Nemesis } from './nemesis';
export type { ComponentName } from './nemesis';
export type { FaultTarget, RestartOptions, ServiceProcessTarget } from './targets';
export { CarrierFaults, PROCESSOR_FAULT_KINDS, PROCESSOR_OPERATIONS, ProcessorFaults, SmtpFaults } from './http-faults';
export type { ArmedProcessorFault, CarrierFaultState, ProcessorFault, ProcessorFaultKind, ProcessorOperation, SmtpRefusal, WebhookMode } from './http-faults';
export type { RunState } from './signals';
export { runState } from './signals';
export { applyFault, checkFaults, planFaults, runSchedule, seededRandom } from './schedule';
export type { Fault, FaultOutcome, ScheduledFault } from './schedule';
