import { AGGREGATE_TYPES, EVENT_CATALOGUE, OrderPlacedV1, checkPayload, findContract, isKnownCurrency } from './index';

describe('event catalogue', () => {
  it.each(EVENT_CATALOGUE.map((c) => [`${c.type} v${c.version}`, c] as const))('%s: its example validates', (_name, contract) => {
    expect(checkPayload(contract, contract.example)).toEqual({ ok: true, value: contract.example });
  });

  it('routes every contract to the topic of its aggregate', () => {
    for (const c of EVENT_CATALOGUE) {
      expect(AGGREGATE_TYPES).toContain(c.aggregateType);
      expect(c.topic).toBe(`${c.aggregateType}.events`);
    }
  });

  it('has exactly one contract per type and version', () => {
    const keys = EVENT_CATALOGUE.map((c) => `${c.type}@${c.version}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('finds a contract by type and version and nothing for an unknown version', () => {
    expect(findContract('OrderPlaced', 1)).toBe(OrderPlacedV1);
    expect(findContract('OrderPlaced', 2)).toBeUndefined();
  });

  it('tolerates additive fields', () => {
    const result = checkPayload(OrderPlacedV1, { ...OrderPlacedV1.example, loyaltyTier: 'gold' });
    expect(result.ok).toBe(true);
  });

  it('rejects a payload with a broken field and names it', () => {
    const result = checkPayload(OrderPlacedV1, { ...OrderPlacedV1.example, total: -5, currency: 'XXY' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.some((i) => i.startsWith('total:'))).toBe(true);
      expect(result.issues.some((i) => i.startsWith('currency:'))).toBe(true);
    }
  });

  it('knows ISO 4217 codes', () => {
    expect(isKnownCurrency('EUR')).toBe(true);
    expect(isKnownCurrency('JPY')).toBe(true);
    expect(isKnownCurrency('ABC')).toBe(false);
  });
});
