import { SettledMovement, applyDiscrepancies, captureFee, isSettlementDate, lineFor } from './settlement';

const aCapture = (overrides: Partial<SettledMovement> = {}): SettledMovement => ({
  id: 'cap_1',
  type: 'capture',
  reference: 'pay_1',
  authorisationId: 'auth_1',
  amount: 1000,
  currency: 'EUR',
  ...overrides,
});

describe('captureFee: 1.4 % rounded half up, plus 25 minor units', () => {
  it.each([
    [1000, 14 + 25], // 14.0
    [1250, 18 + 25], // 17.5 rounds up
    [1249, 17 + 25], // 17.486 rounds down
    [1, 0 + 25], // 0.014
    [36, 1 + 25], // 0.504 rounds up
    [35, 0 + 25], // 0.49 rounds down
    [10_000_000_000, 140_000_000 + 25],
  ])('fee(%i) = %i', (amount, fee) => {
    expect(captureFee(amount)).toBe(fee);
  });

  it('refuses amounts that are not non-negative integers', () => {
    expect(() => captureFee(10.5)).toThrow(RangeError);
    expect(() => captureFee(-1)).toThrow(RangeError);
  });
});

describe('settlement lines', () => {
  it('a capture settles gross less the fee', () => {
    expect(lineFor(aCapture({ amount: 2699 }))).toEqual({
      processorReference: 'cap_1',
      reference: 'pay_1',
      authorisationId: 'auth_1',
      gross: 2699,
      fee: 63, // 37.786 → 38, + 25
      net: 2636,
      currency: 'EUR',
      type: 'capture',
    });
  });

  it('a refund is money out, with no fee', () => {
    expect(lineFor(aCapture({ id: 'ref_1', type: 'refund', amount: 500 }))).toMatchObject({ gross: -500, fee: 0, net: -500, type: 'refund' });
  });
});

describe('discrepancies', () => {
  const lines = [lineFor(aCapture()), lineFor(aCapture({ id: 'cap_2', reference: 'pay_2', amount: 2000 }))];

  it('drop a line', () => {
    expect(applyDiscrepancies(lines, [{ kind: 'drop', processorReference: 'cap_1' }]).map((l) => l.processorReference)).toEqual(['cap_2']);
  });

  it('change an amount (fee and net follow)', () => {
    expect(applyDiscrepancies(lines, [{ kind: 'amount', processorReference: 'cap_2', amount: 1500 }])[1]).toMatchObject({ gross: 1500, fee: 21 + 25, net: 1500 - 46 });
  });

  it('change a currency', () => {
    expect(applyDiscrepancies(lines, [{ kind: 'currency', processorReference: 'cap_1', currency: 'USD' }])[0]).toMatchObject({ currency: 'USD', gross: 1000 });
  });

  it('duplicate a line, right after the original', () => {
    expect(applyDiscrepancies(lines, [{ kind: 'duplicate', processorReference: 'cap_1' }]).map((l) => l.processorReference)).toEqual(['cap_1', 'cap_1', 'cap_2']);
  });

  it('add a line we know nothing about', () => {
    const unknown = aCapture({ id: 'cap_x', reference: 'nobody', amount: 700 });
    expect(applyDiscrepancies(lines, [{ kind: 'unknown', movement: unknown }])).toEqual([...lines, lineFor(unknown)]);
  });

  it('applies them in order; one whose line was dropped changes nothing; the input is not modified', () => {
    const out = applyDiscrepancies(lines, [
      { kind: 'drop', processorReference: 'cap_1' },
      { kind: 'currency', processorReference: 'cap_1', currency: 'USD' },
    ]);
    expect(out).toEqual([lines[1]]);
    expect(lines[0]?.currency).toBe('EUR');
  });
});

describe('isSettlementDate', () => {
  it.each(['2026-01-31', '2024-02-29', '2000-02-29'])('accepts %s', (d) => expect(isSettlementDate(d)).toBe(true));
  it.each(['2026-02-29', '1900-02-29', '2026-13-01', '2026-04-31', '2026-1-1', 'today', '2026-01-01T00:00:00Z'])('refuses %s', (d) => expect(isSettlementDate(d)).toBe(false));
});
