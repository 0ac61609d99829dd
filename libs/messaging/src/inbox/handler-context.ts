import type { EntityManager } from 'typeorm';
import type { EventContract, PayloadOf } from '@paystate/contracts';
import type { MessagingLogger } from '../logger';
import type { OutboxEvent } from '../outbox/outbox';
import type { ConsumedEvent, EmitOptions, HandlerContext } from './consumed-event';

/**
 * The context of one handler call inside the inbox transaction: what the handler emits is collected
 * here and written to the outbox by the record processor in the same transaction; its after-commit
 * callbacks wait here until that transaction committed.
 */
export class TransactionalHandlerContext implements HandlerContext {
  readonly pending: OutboxEvent[] = [];
  readonly committed: (() => void)[] = [];
  constructor(readonly manager: EntityManager, readonly event: ConsumedEvent, readonly now: Date) {}

  emit<C extends EventContract>(contract: C, payload: PayloadOf<C>, options: EmitOptions = {}): void {
    this.pending.push({
      contract,
      payload,
      aggregateId: options.aggregateId ?? this.event.correlationId,
      ...(options.id ? { id: options.id } : {}),
      cause: { correlationId: this.event.correlationId, causationId: this.event.id, traceparent: this.event.traceparent },
      occurredAt: this.now,
    });
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
