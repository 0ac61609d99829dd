import { NO_CARRIER_FAULTS, handToCarrier } from './carrier';

const parcel = [{ sku: 'BOOK-1', quantity: 2 }];

describe('simulated carrier', () => {
  it('given no faults, when a parcel is handed over, then it is dispatched', () => {
    expect(handToCarrier(parcel, NO_CARRIER_FAULTS, 0.42)).toEqual({ outcome: 'dispatched', carrier: 'paystate-post', faults: NO_CARRIER_FAULTS });
  });

  it('given an UNSHIPPABLE- SKU, when handed over, then it fails and does not use up an injected fault', () => {
    const faults = { failNext: 1, failRate: 0 };
    expect(handToCarrier([...parcel, { sku: 'UNSHIPPABLE-LAMP', quantity: 1 }], faults, 0.99)).toEqual({
      outcome: 'failed',
      carrier: 'paystate-post',
      reason: 'carrier refused unshippable item(s): UNSHIPPABLE-LAMP',
      faults,
    });
  });

  it('given failNext 2, when three parcels are handed over, then two fail (counting down) and the third goes', () => {
    const first = handToCarrier(parcel, { failNext: 2, failRate: 0 }, 0.5);
    expect(first).toMatchObject({ outcome: 'failed', faults: { failNext: 1 } });
    const second = handToCarrier(parcel, first.faults, 0.5);
    expect(second).toMatchObject({ outcome: 'failed', faults: { failNext: 0 } });
    expect(handToCarrier(parcel, second.faults, 0.5)).toMatchObject({ outcome: 'dispatched' });
  });

  it('given a failure rate, when the roll falls under it, then it fails; otherwise it goes', () => {
    expect(handToCarrier(parcel, { failNext: 0, failRate: 0.3 }, 0.29)).toMatchObject({ outcome: 'failed', faults: { failRate: 0.3 } });
    expect(handToCarrier(parcel, { failNext: 0, failRate: 0.3 }, 0.3)).toMatchObject({ outcome: 'dispatched' });
    expect(handToCarrier(parcel, { failNext: 0, failRate: 1 }, 0.999)).toMatchObject({ outcome: 'failed' });
  });
});
