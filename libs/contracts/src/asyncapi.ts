import { z } from 'zod';
import { EVENT_CATALOGUE } from './catalogue';
import { AggregateType, EventContract, Topic } from './contract';

// The machine-readable catalogue of topics and events (SPEC §3.3): an AsyncAPI 3.0 document built
// from the contracts, so it cannot say anything the consumers do not enforce. Pure: the script
// libs/contracts/scripts/generate-asyncapi.ts writes it to docs/asyncapi.yaml.

export type JsonSchema = Record<string, unknown>;

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  contentType: 'application/json';
  headers: JsonSchema;
  payload: { schemaFormat: string; schema: JsonSchema };
  correlationId: { description: string; location: string };
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } };
  examples: { name: string; summary: string; headers: Record<string, string>; payload: unknown }[];
}

export interface AsyncApiChannel {
  address: Topic;
  title: string;
  description: string;
  messages: Record<string, { $ref: string }>;
  bindings: { kafka: { topic: Topic; partitions: number; replicas: number; bindingVersion: string } };
}

export interface AsyncApiOperation {
  action: 'send';
  title: string;
  summary: string;
  channel: { $ref: string };
  messages: { $ref: string }[];
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: 'application/json';
  servers: Record<string, { host: string; protocol: 'kafka'; description: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: { messages: Record<string, AsyncApiMessage> };
}

export interface AsyncApiOptions {
  /** The catalogue's version (the contracts package version). */
  version: string;
  /** Partitions per topic, as created by the stacks. */
  partitions?: number;
}

const KAFKA_BINDING_VERSION = '0.5.0';
/** JSON Schema draft-07: what zod emits for `target: 'draft-7'` and what AsyncAPI schemas extend. */
const PAYLOAD_SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

/** Who writes each topic, through its outbox and Debezium (no Node code produces to Kafka). */
const TOPIC_DESCRIPTIONS: Record<AggregateType, string> = {
  order: 'Facts about orders, written by order-service.',
  payment: 'Facts about payments and their processor operations, written by payment-service.',
  ledger: 'Journal postings, written by ledger-service.',
  fulfilment: 'Stock reservations and shipments, written by fulfilment-service.',
  notification: 'Notifications sent to customers, written by notification-service.',
  deadletter:
    'Messages a consumer could not process, written by that consumer in the same transaction as its inbox row. ' +
    'The original record (topic, partition, offset, key, headers, value) is in the payload.',
};

/** What the record key is: the order id for every saga event (SPEC §3.2). */
const keyDescription = (aggregateType: AggregateType): string =>
  aggregateType === 'deadletter'
    ? 'The key of the original record, unchanged (its event id if it had none).'
    : 'The order id, so that all of one order’s events keep their order within a partition.';

/** Who writes a topic's records to Kafka. */
const publishedBy = (aggregateType: AggregateType): string =>
  aggregateType === 'deadletter'
    ? 'Published by Debezium from the outbox of the consumer that parked the message.'
    : 'Published by Debezium from the owning service’s outbox table, in commit order.';

const TRACEPARENT = '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
const EXAMPLE_ORDER_ID = '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10';

/** `OrderPlaced` v1 → `OrderPlacedV1`: the id of its message in the document. */
export const asyncApiMessageId = (contract: EventContract): string => `${contract.type}V${contract.version}`;

/** `order.events` → `orderEvents`: channel ids may not contain dots. */
export const asyncApiChannelId = (topic: Topic): string => topic.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());

/** The Kafka headers every event carries (SPEC §3.2), set by Debezium's EventRouter from outbox columns. */
export function eventHeadersSchema(contract: EventContract): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'eventType', 'eventVersion', 'correlationId', 'causationId', 'traceparent'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'The event id (the outbox row id). Consumers deduplicate on it.' },
      eventType: { type: 'string', const: contract.type, description: 'The event type.' },
      eventVersion: { type: 'string', const: String(contract.version), description: 'The contract version, as a decimal string.' },
      correlationId: { type: 'string', description: 'The saga the event belongs to: the order id.' },
      causationId: { type: 'string', description: 'The id of the event or request that caused this event.' },
      traceparent: { type: 'string', pattern: TRACEPARENT, description: 'W3C trace context of the cause, with a new span id.' },
    },
  };
}

/** The contract's payload as JSON Schema: what a consumer accepts (extra fields are tolerated). */
export function payloadJsonSchema(contract: EventContract): JsonSchema {
  return z.toJSONSchema(contract.schema, { target: 'draft-7', io: 'input' });
}

function exampleHeaders(contract: EventContract): Record<string, string> {
  const example = contract.example as Record<string, unknown>;
  const orderId = typeof example['orderId'] === 'string' ? example['orderId'] : EXAMPLE_ORDER_ID;
  return {
    id: '5f0c3a4e-1d2b-4c3d-9e8f-7a6b5c4d3e2f',
    eventType: contract.type,
    eventVersion: String(contract.version),
    correlationId: orderId,
    causationId: '9d4e2c1b-7a6f-4e3d-8c2b-1a0f9e8d7c6b',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
}

function message(contract: EventContract): AsyncApiMessage {
  return {
    name: contract.type,
    title: `${contract.type} v${contract.version}`,
    summary: contract.summary,
    contentType: 'application/json',
    headers: eventHeadersSchema(contract),
    payload: { schemaFormat: PAYLOAD_SCHEMA_FORMAT, schema: payloadJsonSchema(contract) },
    correlationId: { description: 'The order id the saga runs for.', location: '$message.header#/correlationId' },
    bindings: {
      kafka: {
        key: { type: 'string', description: `A plain UTF-8 string. ${keyDescription(contract.aggregateType)}` },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [{ name: asyncApiMessageId(contract), summary: `A valid ${contract.type} v${contract.version}`, headers: exampleHeaders(contract), payload: contract.example }],
  };
}

/** Builds the AsyncAPI 3.0 document: a channel per topic in use, a message per contract version. */
export function buildAsyncApiDocument(options: AsyncApiOptions, catalogue: readonly EventContract[] = EVENT_CATALOGUE): AsyncApiDocument {
  const partitions = options.partitions ?? 3;
  const channels: Record<string, AsyncApiChannel> = {};
  const operations: Record<string, AsyncApiOperation> = {};
  const messages: Record<string, AsyncApiMessage> = {};

  const sorted = [...catalogue].sort((a, b) => a.topic.localeCompare(b.topic) || a.type.localeCompare(b.type) || a.version - b.version);
  for (const contract of sorted) {
    const messageId = asyncApiMessageId(contract);
    if (messages[messageId]) throw new Error(`${contract.type} v${contract.version} is in the catalogue twice`);
    messages[messageId] = message(contract);

    const channelId = asyncApiChannelId(contract.topic);
    const channel = (channels[channelId] ??= {
      address: contract.topic,
      title: contract.topic,
      description: TOPIC_DESCRIPTIONS[contract.aggregateType],
      messages: {},
      bindings: { kafka: { topic: contract.topic, partitions, replicas: 1, bindingVersion: KAFKA_BINDING_VERSION } },
    });
    channel.messages[messageId] = { $ref: `#/components/messages/${messageId}` };

    const operationId = `publish${channelId.charAt(0).toUpperCase()}${channelId.slice(1)}`;
    const operation = (operations[operationId] ??= {
      action: 'send',
      title: `Publish to ${contract.topic}`,
      summary: publishedBy(contract.aggregateType),
      channel: { $ref: `#/channels/${channelId}` },
      messages: [],
    });
    operation.messages.push({ $ref: `#/channels/${channelId}/messages/${messageId}` });
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'paystate events',
      version: options.version,
      description: [
        'Every event of the paystate order/payment saga, generated from libs/contracts by `npm run contracts:catalogue`.',
        '',
        'Each service writes its events to an outbox table in the same transaction as its state change;',
        'Debezium’s outbox EventRouter publishes them to `<aggregatetype>.events`.',
        'Record key: the aggregate id as a plain string (the order id for every saga event).',
        'Record value: the JSON payload as a string.',
        'Headers: id (the dedup key), eventType, eventVersion, correlationId, causationId, traceparent.',
        'Delivery is at least once: consumers deduplicate on the `id` header and tolerate additive fields.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: 'localhost:9092', protocol: 'kafka', description: 'The broker of docker compose or of the native stack (`npm run stack:up`).' },
    },
    channels,
    operations,
    components: { messages },
  };
}
