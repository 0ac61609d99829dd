import type { EntityManager } from 'typeorm';
import type { EventContract, PayloadOf } from '@paystate/contracts';

/** A validated event as a handler sees it: the payload checked against its contract, headers decoded. */
export interface ConsumedEvent<T = unknown> {
  id: string;
  type: string;
  version: number;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  correlationId: string;
  causationId: string | undefined;
  traceparent: string | undefined;
  /** When the producing service committed the fact (ISO 8601); the Kafka record time if the header is absent. */
  occurredAt: string;
  payload: T;
}

export interface EmitOptions {
  /** Defaults to the consumed event's correlation id (the order id for saga events). */
  aggregateId?: string;
  /**
   * The event's id. Defaults to one derived from the handler, the consumed event's id and the emit's
   * position in the handler call (replay-safe); pass one when the fact has an id of its own (the
   * ledger's journal id) so that the same fact is never emitted under two ids.
   */
  id?: string;
}

/** What a handler may do: change its own state through `manager` and emit events, all in one transaction. */
export interface HandlerContext {
  readonly manager: EntityManager;
  readonly event: ConsumedEvent;
  /** The time of this attempt, so handlers never read the clock themselves. */
  readonly now: Date;
  /** Queues the event for the outbox of this transaction; returns its id (derived unless `options.id`). */
  emit<C extends EventContract>(contract: C, payload: PayloadOf<C>, options?: EmitOptions): string;
  /**
   * The replay-safe id of a row this handler creates for this event: a UUIDv5 of (handler name,
   * consumed event id, purpose). One purpose per kind of row the handler creates (`'payment'`,
   * `'notification'`…); the same event handled again gets the same id.
   */
  deriveId(purpose: string): string;
  /** Runs after the transaction committed (never if it rolls back), e.g. to wake a worker for the work it created. */
  afterCommit(callback: () => void): void;
}

export interface EventHandlerDefinition<C extends EventContract = EventContract> {
  contract: C;
  /** The inbox key's handler part, e.g. `payment-service.OrderPlaced`: stable across versions and deploys. */
  name: string;
  handle(event: ConsumedEvent<PayloadOf<C>>, ctx: HandlerContext): Promise<void>;
}

/**
 * Thrown by a handler when the event can never be applied (it breaks an invariant); the message goes
 * to the dead-letter topic at once instead of being retried.
 */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

/** Declares a handler with its payload type inferred from the contract. */
export function defineHandler<C extends EventContract>(
  contract: C,
  name: string,
  handle: (event: ConsumedEvent<PayloadOf<C>>, ctx: HandlerContext) => Promise<void>,
): EventHandlerDefinition<C> {
  return { contract, name, handle };
}
