import type { SagaStage } from '@paystate/contracts';

// The stages of an order's saga and what each waits for live in libs/contracts (saga-stages.ts):
// order-service's monitor and the ops tool read the same rule.
export { AWAITING, SAGA_STAGES, sagaStageOf } from '@paystate/contracts';
export type { Awaiting, SagaStage } from '@paystate/contracts';

/** Each stage's SLA: how long an order may stay in it before the monitor reports it. */
export type SagaSlas = Readonly<Record<SagaStage, number>>;
