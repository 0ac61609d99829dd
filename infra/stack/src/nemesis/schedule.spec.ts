import { StackInfo } from '../state';
import { Nemesis } from './nemesis';
import { Fault, checkFaults, planFaults, seededRandom } from './schedule';

const MENU: Fault[] = [
  { kind: 'kill', target: 'order-service', downMs: 500 },
  { kind: 'pause', target: 'connect', forMs: 2_000 },
  { kind: 'smtp-refusal', forMs: 3_000 },
];

describe('a plan of faults', () => {
  it('is the same for the same seed, and another for another seed', () => {
    const plan = (seed: number) => planFaults({ seed, durationMs: 60_000, meanGapMs: 5_000, menu: MENU });
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
  });

  it('spaces faults 0.5–1.5 × the mean gap, all within the duration, drawn from the menu', () => {
    const plan = planFaults({ seed: 42, durationMs: 600_000, meanGapMs: 10_000, menu: MENU });
    expect(plan.length).toBeGreaterThan(40);
    expect(plan.length).toBeLessThan(120);
    plan.forEach((p, i) => {
      const gap = p.atMs - (i === 0 ? 0 : (plan[i - 1]?.atMs ?? 0));
      expect(gap).toBeGreaterThanOrEqual(4_999);
      expect(gap).toBeLessThanOrEqual(15_001);
      expect(MENU).toContain(p.fault);
    });
    expect(plan.at(-1)!.atMs).toBeLessThan(600_000);
  });

  it('needs a positive duration and gap and something to choose from', () => {
    expect(() => planFaults({ seed: 1, durationMs: 0, meanGapMs: 1, menu: MENU })).toThrow(/positive duration/);
    expect(() => planFaults({ seed: 1, durationMs: 1, meanGapMs: 1, menu: [] })).toThrow(/at least one fault/);
  });

  it('the seeded generator stays in [0, 1)', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 1_000; i++) {
      const r = random();
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
  });
});

describe('checking a plan before anything is broken', () => {
  const info = { profile: 'test', services: { 'order-service': {} }, smtp: { host: '', port: 1, apiUrl: '' } } as unknown as StackInfo;

  it('passes faults the nemesis can carry out', () => {
    expect(() => checkFaults(Nemesis.of(info), MENU)).not.toThrow();
  });

  it.each<[Fault, RegExp]>([
    [{ kind: 'kill', target: 'zookeeper' }, /unknown nemesis target "zookeeper"/],
    [{ kind: 'processor', fault: { operation: 'capture', kind: 'latency' }, forMs: 1 }, /needs latencyMs/],
    [{ kind: 'smtp-refusal', refusal: { code: 200 }, forMs: 1 }, /400\.\.599/],
    [{ kind: 'carrier', failRate: 2, forMs: 1 }, /between 0 and 1/],
    [{ kind: 'db-connections', service: 'nope' }, /unknown service "nope"/],
  ])('refuses %j', (fault, message) => {
    expect(() => checkFaults(Nemesis.of(info), [fault])).toThrow(message);
  });
});
