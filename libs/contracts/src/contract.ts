import { z } from 'zod';

/** Every Kafka topic the saga uses. Debezium's EventRouter routes `aggregatetype` to `<aggregatetype>.events`. */
export const AGGREGATE_TYPES = ['order', 'payment', 'ledger', 'fulfilment', 'notification', 'deadletter'] as const;
export type AggregateType = (typeof AGGREGATE_TYPES)[number];
export type Topic = `${AggregateType}.events`;

export const topicOf = (aggregateType: AggregateType): Topic => `${aggregateType}.events`;

/**
 * One event type at one version: the schema consumers validate against, its topic, and an example
 * that the tests prove valid. A new version is a new contract file; old versions stay until no
 * producer writes them and no topic retains them.
 */
export interface EventContract<TType extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly aggregateType: AggregateType;
  readonly topic: Topic;
  readonly summary: string;
  readonly schema: TSchema;
  readonly example: z.output<TSchema>;
}

export function defineEvent<TType extends string, TSchema extends z.ZodType>(definition: {
  type: TType;
  version: number;
  aggregateType: AggregateType;
  summary: string;
  schema: TSchema;
  example: z.output<TSchema>;
}): EventContract<TType, TSchema> {
  return { ...definition, topic: topicOf(definition.aggregateType) };
}

export type PayloadOf<C> = C extends EventContract<string, infer S> ? z.output<S> : never;
