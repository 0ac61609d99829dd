import type { EventType } from '@paystate/contracts';

/** One named point: where it fires, what a fault there proves, and whether its site can wait. */
export interface FailpointDefinition {
  /** The seam, and the moment in it. */
  readonly at: string;
  /** What the test that arms it shows: the guarantee at stake. */
  readonly proves: string;
  /** The site awaits `failpoint.async`: it may also be armed with `delay(ms)`. */
  readonly async: boolean;
}

/**
 * Every point the code may fire, as data. A point not listed here cannot be named (the type below)
 * or armed (the parser refuses it); removing one fails the compilation of every test that arms it.
 */
export const FAILPOINTS = {
  'consumer.after-db-commit': {
    at: 'libs/messaging IdempotentConsumer: right after the inbox transaction of a record (or of a group of records) commits, before its offset is committed',
    proves: 'a record redelivered after a crash finds its inbox row: no second effect, no second event',
    async: false,
  },
  'consumer.handle': {
    at: 'libs/messaging RecordProcessor: inside the inbox transaction, after the inbox row is claimed and just before the handler runs (the consumer and the dead-letter redrive worker alike)',
    proves: 'throw: a poison-message double (the handler fails every attempt: retries, then a dead letter; a redrive of it fails again); restarting without it is "fixing the handler", after which a redrive applies the letter once',
    async: false,
  },
  'order.place.before-commit': {
    at: "libs/persistence runInTransaction('order.place'): inside the place-order transaction, after the order, its outbox and timeline rows, before the idempotency answer and the commit",
    proves: 'delay: a concurrent retry with the same Idempotency-Key gets 409 while the first is in flight; throw: the transaction rolls back, the key is released and a retry places one order',
    async: true,
  },
  'order.place.after-commit': {
    at: "libs/persistence runInTransaction('order.place'): right after the place-order commit, before the HTTP answer (SPEC F2)",
    proves: 'a retry of a request whose answer was lost replays the stored answer: one order, one OrderPlaced',
    async: true,
  },
  'payment.after-processor-call': {
    at: 'payment-service ProcessorClient.perform: after the processor answered (or did not), before the outcome is recorded (SPEC F3)',
    proves: 'the operation stays IN_FLIGHT; after the lease it is retried with the same Idempotency-Key: one charge at the processor',
    async: true,
  },
  'notification.after-smtp-accept': {
    at: 'notification-service Mailer.send: after the mail server accepted the message, before it is marked SENT',
    proves: 'the one at-least-once edge: the mail is resent with the same Message-ID and recorded once',
    async: true,
  },
} as const satisfies Record<string, FailpointDefinition>;

/** Points that also exist once per event type, as `<point>:<EventType>` (fired after the plain one). */
export const PER_EVENT_TYPE = ['consumer.after-db-commit', 'consumer.handle'] as const;

export type PerEventTypePoint = (typeof PER_EVENT_TYPE)[number];
export type FailpointName = keyof typeof FAILPOINTS | `${PerEventTypePoint}:${EventType}`;

/** A named unit of work: a name with both a `.before-commit` and an `.after-commit` point. */
export type UnitOfWorkName = {
  [K in keyof typeof FAILPOINTS]: K extends `${infer U}.before-commit` ? (`${U}.after-commit` extends keyof typeof FAILPOINTS ? U : never) : never;
}[keyof typeof FAILPOINTS];

/**
 * The per-event-type name of a point, for a type read off the wire (so a plain string). Typed as a
 * name without a check: a type outside the catalogue can never have been armed (see parse).
 */
export function perEventType(point: PerEventTypePoint, eventType: string): FailpointName {
  return `${point}:${eventType}` as FailpointName;
}

const EVENT_TYPE_SHAPE = /^[A-Z][A-Za-z0-9]*$/;

/** The catalogue entry of a name, for the per-type names that of their point; undefined when unknown. */
export function definitionOf(name: string): FailpointDefinition | undefined {
  if (Object.hasOwn(FAILPOINTS, name)) return FAILPOINTS[name as keyof typeof FAILPOINTS];
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const point = name.slice(0, colon);
  const eventType = name.slice(colon + 1);
  // the lib holds no runtime copy of the contracts catalogue (a type-only import): the shape is
  // checked here, the exact type by the compiler wherever the names are written (failpointsEnv)
  if (!(PER_EVENT_TYPE as readonly string[]).includes(point) || !EVENT_TYPE_SHAPE.test(eventType)) return undefined;
  return FAILPOINTS[point as PerEventTypePoint];
}
