import { v5 as uuidv5 } from 'uuid';

/**
 * The namespace of every id paystate derives from a cause (RFC 4122 version 5). Fixed forever:
 * changing it would give every replayed row and event a new id.
 */
export const DERIVED_ID_NAMESPACE = '3e7d2c5a-8f41-5b6e-9a0d-4c1f7b2e8d63';

/** A name-based UUID (version 5) of `name` in `namespace`: the same inputs give the same id, always. */
export function nameBasedId(name: string, namespace: string = DERIVED_ID_NAMESPACE): string {
  return uuidv5(name, namespace);
}

/**
 * The replay-safe id of whatever a cause creates: a UUIDv5 of its parts (handler name, source event
 * id, purpose or position…). The parts are encoded as a JSON array, so `['a:b', 'c']` and
 * `['a', 'b:c']` never meet. See the README's "Replay-safe ids".
 */
export function derivedId(...parts: readonly (string | number)[]): string {
  if (parts.length === 0) throw new Error('derivedId needs at least one part of its cause');
  return nameBasedId(JSON.stringify(parts));
}

/** The default id of the `position`-th event (from 0) a handler emits for one consumed event. */
export const emittedEventId = (handlerName: string, sourceEventId: string, position: number): string => derivedId('emit', handlerName, sourceEventId, position);

/** The id `ctx.deriveId(purpose)` gives a row the handler creates for one consumed event. */
export const handlerRowId = (handlerName: string, sourceEventId: string, purpose: string): string => derivedId('row', handlerName, sourceEventId, purpose);

/** The id of the dead letter (and of its DeadLetter event) for one record parked by one handler of a group. */
export const deadLetterId = (groupId: string, handlerName: string, eventId: string): string => derivedId('dead-letter', groupId, handlerName, eventId);
