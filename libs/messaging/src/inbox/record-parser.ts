import { v5 as uuidv5 } from 'uuid';
import { checkPayload } from '@paystate/contracts';
import { HEADER } from '../headers';
import type { ConsumedEvent, EventHandlerDefinition } from './consumed-event';

/** A Kafka record as received, everything as text: what a dead letter preserves verbatim. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
  timestamp: string;
}

export type ParsedRecord =
  | { kind: 'event'; handler: EventHandlerDefinition; event: ConsumedEvent }
  /** Nothing on this service listens to this type: acknowledged and counted, never silently lost. */
  | { kind: 'ignored'; type: string }
  | { kind: 'poison'; handlerName: string; eventId: string; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Namespace for ids of records that arrive without a usable `id` header (uuid v5 of topic/partition/offset). */
const RECORD_NAMESPACE = '8f2b3d0e-5c4a-4f7e-9b1d-2a6c8e0f4b3a';

export class HandlerTable {
  private readonly byTopicType = new Map<string, Map<number, EventHandlerDefinition>>();

  constructor(readonly groupId: string, handlers: readonly EventHandlerDefinition[]) {
    for (const h of handlers) {
      const key = `${h.contract.topic}|${h.contract.type}`;
      const versions = this.byTopicType.get(key) ?? new Map<number, EventHandlerDefinition>();
      if (versions.has(h.contract.version)) {
        throw new Error(`two handlers for ${h.contract.type} v${h.contract.version} in ${groupId}`);
      }
      versions.set(h.contract.version, h);
      this.byTopicType.set(key, versions);
    }
  }

  get topics(): string[] {
    return [...new Set([...this.byTopicType.keys()].map((k) => k.split('|')[0]!))];
  }

  /** Decides what a record is, without I/O: an event for a handler, nothing for us, or poison. */
  parse(record: RawRecord): ParsedRecord {
    const type = record.headers[HEADER.eventType];
    const idHeader = record.headers[HEADER.id];
    const eventId = idHeader && UUID.test(idHeader) ? idHeader.toLowerCase() : uuidv5(`${record.topic}/${record.partition}/${record.offset}`, RECORD_NAMESPACE);
    const poison = (handlerName: string, reason: string): ParsedRecord => ({ kind: 'poison', handlerName, eventId, reason });

    if (!type) return poison(`${this.groupId}.unknown`, `missing header ${HEADER.eventType}`);
    const versions = this.byTopicType.get(`${record.topic}|${type}`);
    if (!versions) return { kind: 'ignored', type };
    const handlerName = versions.values().next().value!.name;

    if (!idHeader || !UUID.test(idHeader)) return poison(handlerName, `header ${HEADER.id} is missing or not a UUID`);
    const version = Number(record.headers[HEADER.eventVersion]);
    const handler = versions.get(version);
    if (!handler) {
      return poison(handlerName, `unknown version ${record.headers[HEADER.eventVersion] ?? '(none)'} of ${type}; this consumer knows ${[...versions.keys()].join(', ')}`);
    }
    const correlationId = record.headers[HEADER.correlationId];
    if (!correlationId) return poison(handler.name, `missing header ${HEADER.correlationId}`);
    if (record.value === null) return poison(handler.name, 'empty value');

    let json: unknown;
    try {
      json = JSON.parse(record.value);
    } catch {
      return poison(handler.name, 'value is not JSON');
    }
    const checked = checkPayload(handler.contract, json);
    if (!checked.ok) return poison(handler.name, `violates ${type} v${version}: ${checked.issues.join('; ')}`);

    return {
      kind: 'event',
      handler,
      event: {
        id: eventId,
        type,
        version,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key,
        correlationId,
        causationId: record.headers[HEADER.causationId],
        traceparent: record.headers[HEADER.traceparent],
        occurredAt: occurredAtOf(record),
        payload: checked.value,
      },
    };
  }
}

function occurredAtOf(record: RawRecord): string {
  const header = record.headers[HEADER.occurredAt];
  const fromHeader = header ? Date.parse(header) : NaN;
  if (!Number.isNaN(fromHeader)) return new Date(fromHeader).toISOString();
  const ts = Number(record.timestamp);
  return new Date(Number.isFinite(ts) && ts > 0 ? ts : 0).toISOString();
}
