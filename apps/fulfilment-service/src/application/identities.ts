import { nameBasedId } from '@paystate/messaging';

/**
 * Deterministic ids (ADR 0014): an order has one reservation and one shipment, so their ids derive
 * from the order id, and a replayed or retried handler produces the same ones. The name-based UUID
 * is the messaging library's (one helper for the workspace); fulfilment keeps its own namespace so
 * that the ids of existing reservations and shipments stay what they were.
 */
const FULFILMENT_NAMESPACE = '6b0f3c1e-4d2a-4b8f-9e7a-5c3d1b0f2e4a';

export const reservationIdFor = (orderId: string): string => nameBasedId(`reservation:${orderId}`, FULFILMENT_NAMESPACE);
export const shipmentIdFor = (orderId: string): string => nameBasedId(`shipment:${orderId}`, FULFILMENT_NAMESPACE);
/** The carrier's tracking number: its prefix and the first 12 hex digits of the shipment id. */
export const trackingNumberFor = (shipmentId: string): string => `PS${shipmentId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
