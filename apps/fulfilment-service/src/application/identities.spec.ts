import { reservationIdFor, shipmentIdFor, trackingNumberFor } from './identities';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('fulfilment identities', () => {
  const orderId = '0b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10';

  it('derives the same reservation and shipment ids from the same order, and different ones for each', () => {
    expect(reservationIdFor(orderId)).toBe(reservationIdFor(orderId));
    expect(reservationIdFor(orderId)).toMatch(UUID_V5);
    expect(shipmentIdFor(orderId)).toMatch(UUID_V5);
    expect(shipmentIdFor(orderId)).not.toBe(reservationIdFor(orderId));
    expect(reservationIdFor('1b6f7c3e-9f1a-4a51-8a0e-6d3f2b1c9e10')).not.toBe(reservationIdFor(orderId));
  });

  it('keeps the ids it derived before it used the messaging library’s helper (existing rows stay valid)', () => {
    expect(reservationIdFor(orderId)).toBe('de87150d-a60f-56f8-9d12-b546b3605fbb');
  });

  it('makes the tracking number from the shipment id', () => {
    expect(trackingNumberFor('1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b')).toBe('PS1F2E3D4C5B6A');
  });
});
