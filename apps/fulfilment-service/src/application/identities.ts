import { createHash } from 'node:crypto';

/**
 * Deterministic ids (RFC 4122 version 5, name-based): an order has one reservation and one shipment,
 * so their ids derive from the order id, and a replayed or retried handler produces the same ones.
 */
const NAMESPACE = Buffer.from('6b0f3c1e4d2a4b8f9e7a5c3d1b0f2e4a', 'hex');

function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const reservationIdFor = (orderId: string): string => nameBasedUuid(`reservation:${orderId}`);
export const shipmentIdFor = (orderId: string): string => nameBasedUuid(`shipment:${orderId}`);
/** The carrier's tracking number: its prefix and the first 12 hex digits of the shipment id. */
export const trackingNumberFor = (shipmentId: string): string => `PS${shipmentId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
