import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { AsyncApiDocument, asyncApiChannelId, asyncApiMessageId, buildAsyncApiDocument } from './asyncapi';
import { EVENT_CATALOGUE } from './catalogue';
import { OrderPlacedV1 } from './events/order-placed.v1';

const ASYNCAPI_FILE = path.resolve(__dirname, '../../../docs/asyncapi.yaml');
const { version } = JSON.parse(readFileSync(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string };
const doc = buildAsyncApiDocument({ version });
// ajv 8's default dialect is JSON Schema draft-07, the one the payload schemas are generated in.
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

const contracts = EVENT_CATALOGUE.map((c) => [`${c.type} v${c.version}`, c] as const);

describe('AsyncAPI catalogue', () => {
  it('is an AsyncAPI 3.0 document with a channel per topic in use, addressed by the topic', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    const topics = [...new Set(EVENT_CATALOGUE.map((c) => c.topic))].sort();
    expect(Object.values(doc.channels).map((c) => c.address).sort()).toEqual(topics);
    for (const topic of topics) {
      expect(doc.channels[asyncApiChannelId(topic)]).toMatchObject({ address: topic, bindings: { kafka: { topic } } });
    }
  });

  it.each(contracts)('%s: has a message in its topic channel and a send operation', (_name, contract) => {
    const id = asyncApiMessageId(contract);
    const channelId = asyncApiChannelId(contract.topic);
    expect(doc.components.messages[id]).toMatchObject({ name: contract.type, summary: contract.summary });
    expect(doc.channels[channelId]?.messages[id]).toEqual({ $ref: `#/components/messages/${id}` });
    const operations = Object.values(doc.operations).filter((o) => o.channel.$ref === `#/channels/${channelId}`);
    expect(operations.flatMap((o) => o.messages)).toContainEqual({ $ref: `#/channels/${channelId}/messages/${id}` });
  });

  it.each(contracts)('%s: its payload schema and headers schema accept its example', (_name, contract) => {
    const message = doc.components.messages[asyncApiMessageId(contract)];
    const example = message?.examples[0];
    expect(example?.payload).toEqual(contract.example);
    const payloadValid = ajv.validate(message?.payload.schema ?? {}, example?.payload);
    expect(ajv.errors ?? []).toEqual([]);
    expect(payloadValid).toBe(true);
    const headersValid = ajv.validate(message?.headers ?? {}, example?.headers);
    expect(ajv.errors ?? []).toEqual([]);
    expect(headersValid).toBe(true);
  });

  it('rejects in JSON Schema what the contract rejects, and tolerates additive fields', () => {
    const schema = doc.components.messages[asyncApiMessageId(OrderPlacedV1)]?.payload.schema ?? {};
    const { orderId: _orderId, ...withoutOrderId } = OrderPlacedV1.example;
    expect(ajv.validate(schema, withoutOrderId)).toBe(false);
    expect(ajv.validate(schema, { ...OrderPlacedV1.example, total: -5 })).toBe(false);
    expect(ajv.validate(schema, { ...OrderPlacedV1.example, loyaltyTier: 'gold' })).toBe(true);
    const headers = doc.components.messages[asyncApiMessageId(OrderPlacedV1)]?.headers ?? {};
    const valid = doc.components.messages[asyncApiMessageId(OrderPlacedV1)]?.examples[0]?.headers ?? {};
    expect(ajv.validate(headers, { ...valid, eventVersion: '2' })).toBe(false);
  });

  it('describes the Kafka key of every message as a plain string', () => {
    for (const message of Object.values(doc.components.messages)) {
      expect(message.bindings.kafka.key).toMatchObject({ type: 'string' });
    }
  });

  it('refuses a catalogue that lists a contract version twice', () => {
    expect(() => buildAsyncApiDocument({ version }, [OrderPlacedV1, OrderPlacedV1])).toThrow(/twice/);
  });

  it('is what docs/asyncapi.yaml holds (otherwise run `npm run contracts:catalogue`)', () => {
    const committed = parse(readFileSync(ASYNCAPI_FILE, 'utf8')) as AsyncApiDocument;
    // a plain-JSON copy: what the YAML can hold (no undefined, no class instances)
    const current = JSON.parse(JSON.stringify(doc)) as AsyncApiDocument;
    if (JSON.stringify(committed) !== JSON.stringify(current)) {
      throw new Error('docs/asyncapi.yaml is stale: the contracts changed. Run `npm run contracts:catalogue` and commit the result.');
    }
  });
});
