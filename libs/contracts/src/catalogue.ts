import { z } from 'zod';
import { EventContract } from './contract';
import { DeadLetterV1 } from './events/dead-letter.v1';
import { ShipmentDispatchedV1, ShipmentFailedV1, StockReleasedV1, StockReservationFailedV1, StockReservedV1 } from './events/fulfilment-events.v1';
import { LedgerEntryPostedV1 } from './events/ledger-events.v1';
import { NotificationSentV1 } from './events/notification-events.v1';
import { OrderCancelledV1, OrderCompletedV1, OrderConfirmedV1 } from './events/order-lifecycle.v1';
import { OrderPlacedV1 } from './events/order-placed.v1';
import { PaymentStuckV1, SagaStuckV1 } from './events/stuck-events.v1';
import {
  PaymentAuthorisedV1,
  PaymentCapturedV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  PaymentRequiresReviewV1,
  PaymentVoidedV1,
} from './events/payment-events.v1';

// as const: the literal type names survive, for EventType below
const CONTRACTS = [
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCompletedV1,
  OrderCancelledV1,
  PaymentAuthorisedV1,
  PaymentFailedV1,
  PaymentCapturedV1,
  PaymentVoidedV1,
  PaymentRefundedV1,
  PaymentRequiresReviewV1,
  StockReservedV1,
  StockReservationFailedV1,
  StockReleasedV1,
  ShipmentDispatchedV1,
  ShipmentFailedV1,
  LedgerEntryPostedV1,
  NotificationSentV1,
  DeadLetterV1,
  SagaStuckV1,
  PaymentStuckV1,
] as const;

/** Every event the system emits, each version listed. The AsyncAPI document is generated from this. */
export const EVENT_CATALOGUE: readonly EventContract[] = CONTRACTS;

/** The name of every event type in the catalogue (e.g. `PaymentCaptured`), as a type. */
export type EventType = (typeof CONTRACTS)[number]['type'];

export function findContract(type: string, version: number): EventContract | undefined {
  return EVENT_CATALOGUE.find((c) => c.type === type && c.version === version);
}

export type ContractCheck<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** Validates a payload against a contract: unknown extra fields are tolerated (stripped), never rejected. */
export function checkPayload<C extends EventContract>(contract: C, payload: unknown): ContractCheck<z.output<C['schema']>> {
  const result = contract.schema.safeParse(payload);
  if (result.success) return { ok: true, value: result.data as z.output<C['schema']> };
  return { ok: false, issues: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}
