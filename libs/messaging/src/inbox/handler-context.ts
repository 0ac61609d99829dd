import type { EntityManager } from 'typeorm';
import type { EventContract, PayloadOf } from '@paystate/contracts';
import { emittedEventId, handlerRowId } from '../derived-id';
import type { MessagingLogger } from '../logger';
import type { OutboxEvent } from '../outbox/outbox';
import type { ConsumedEvent, EmitOptions, HandlerContext } from './consumed-event';

/**
 * The context of one handler call inside the inbox transaction: what the handler emits is collected
 * here and written to the outbox by the record processor in the same transaction; its after-commit
 * callbacks wait here until that transaction committed.
 *
 * Ids are replay-safe (README, "Replay-safe ids"): an emitted event's default id is derived from the
 * handler, the consumed event's id and the emit's position in this call; `deriveId` gives the rows a
 * handler creates ids derived from the handler, the event and a purpose. Processing the same record
 * again (a retry, a redelivery, a replay after the inbox forgot it) yields the same ids.
 */
export class TransactionalHandlerContext implements HandlerContext {
  readonly pending: OutboxEvent[] = [];
  readonly committed: (() => void)[] = [];
  private emits = 0;
  constructor(readonly manager: EntityManager, readonly event: ConsumedEvent, readonly now: Date, readonly handlerName: string) {}

  emit<C extends EventContract>(contract: C, payload: PayloadOf<C>, options: EmitOptions = {}): string {
    const position = this.emits;
    this.emits += 1;
    const id = options.id ?? emittedEventId(this.handlerName, this.event.id, position);
    this.pending.push({
      contract,
      payload,
      aggregateId: options.aggregateId ?? this.event.correlationId,
      id,
      cause: { correlationId: this.event.correlationId, causationId: this.event.id, traceparent: this.event.traceparent },
      occurredAt: this.now,
    });
    return id;
  }

  deriveId(purpose: string): string {
    return handlerRowId(this.handlerName, this.event.id, purpose);
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }
}

/** After-commit callbacks must never break the consumer: they are wake-ups, not effects. */
export function runAfterCommit(callbacks: readonly (() => void)[], logger: MessagingLogger): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      logger.warn({ err: describeError(error) }, 'after-commit callback failed');
    }
  }
}

/** Name and message of anything thrown, for logs and dead letters. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  if (error && typeof error === 'object' && 'message' in error) return { name: 'Error', message: String(error.message) };
  return { name: 'Error', message: String(error) };
}
