import { Fault, defineFault, pickFault } from './faults';

const now = new Date('2026-01-01T00:00:00Z');
let next = 0;
const aFault = (overrides: Partial<Parameters<typeof defineFault>[0]> = {}): Fault =>
  defineFault({ operation: 'capture', kind: 'error500', ...overrides }, { id: `flt_${++next}`, now });
const never = (): number => {
  throw new Error('a fault with rate 1 must not roll');
};

describe('pickFault', () => {
  it('given a count of 2, applies to the next two matching calls only', () => {
    let faults = [aFault({ count: 2 })];
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const picked = pickFault(faults, 'capture', never);
      seen.push(picked?.fault.kind);
      if (picked) faults = picked.faults;
    }
    expect(seen).toEqual(['error500', 'error500', undefined]);
    expect(faults[0]).toMatchObject({ remaining: 0, applied: 2 });
  });

  it('applies to its operation only, or to any with "any"', () => {
    expect(pickFault([aFault({ operation: 'capture' })], 'authorise', never)).toBeUndefined();
    expect(pickFault([aFault({ operation: 'any' })], 'refund', never)?.fault.operation).toBe('any');
  });

  it('given a rate, applies when the roll is below it', () => {
    const fault = aFault({ rate: 0.3 });
    expect(pickFault([fault], 'capture', () => 0.29)).toBeDefined();
    expect(pickFault([fault], 'capture', () => 0.3)).toBeUndefined();
  });

  it('the first fault that fires wins; an unlimited fault stays unlimited', () => {
    const faults = [aFault({ rate: 0 }), aFault({ kind: 'drop-response' }), aFault({ kind: 'timeout' })];
    const picked = pickFault(faults, 'capture', () => 0.5);
    expect(picked?.fault).toMatchObject({ kind: 'drop-response', remaining: null, applied: 1 });
    expect(picked?.faults.map((f) => f.applied)).toEqual([0, 1, 0]);
  });
});
