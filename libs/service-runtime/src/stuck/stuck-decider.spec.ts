import fc from 'fast-check';
import { OpenReport, StuckPolicy, WatchedStage, decideStuck, levelAt } from './stuck-decider';

const policy: StuckPolicy = { escalation: 4 };
const since = new Date('2026-12-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(since.getTime() + ms);
const shipping: WatchedStage = { stage: 'AWAITING_SHIPMENT', since, slaMs: 1000 };

describe('the saga monitor decides once per threshold crossing', () => {
  it('reports nothing before the SLA', () => {
    expect(decideStuck(shipping, [], at(999), policy)).toEqual({ report: null, resolve: [] });
  });

  it('reports WARNING at the SLA, then nothing more while nothing new is crossed', () => {
    expect(decideStuck(shipping, [], at(1000), policy).report).toEqual({ stage: 'AWAITING_SHIPMENT', level: 'WARNING', thresholdMs: 1000, since });
    const reported: OpenReport[] = [{ stage: 'AWAITING_SHIPMENT', since, level: 'WARNING' }];
    expect(decideStuck(shipping, reported, at(3999), policy)).toEqual({ report: null, resolve: [] });
  });

  it('escalates to CRITICAL at escalation × SLA, once', () => {
    const warned: OpenReport[] = [{ stage: 'AWAITING_SHIPMENT', since, level: 'WARNING' }];
    expect(decideStuck(shipping, warned, at(4000), policy).report).toMatchObject({ level: 'CRITICAL', thresholdMs: 4000 });
    expect(decideStuck(shipping, [...warned, { stage: 'AWAITING_SHIPMENT', since, level: 'CRITICAL' }], at(60_000), policy).report).toBeNull();
  });

  it('first seen past both thresholds (the monitor was down): reports only the higher one', () => {
    expect(decideStuck(shipping, [], at(10_000), policy).report).toMatchObject({ level: 'CRITICAL' });
  });

  it('a subject that moved on resolves the old stage and reports the new one from its own start', () => {
    const reported: OpenReport[] = [{ stage: 'AWAITING_STOCK', since, level: 'WARNING' }];
    const next: WatchedStage = { stage: 'AWAITING_CAPTURE', since: at(5000), slaMs: 1000 };
    expect(decideStuck(next, reported, at(5500), policy)).toEqual({ report: null, resolve: [{ stage: 'AWAITING_STOCK', since }] });
    expect(decideStuck(next, reported, at(6000), policy).report).toMatchObject({ stage: 'AWAITING_CAPTURE', level: 'WARNING', since: at(5000) });
  });

  it('a terminal subject resolves every open report', () => {
    const reported: OpenReport[] = [
      { stage: 'AWAITING_SHIPMENT', since, level: 'WARNING' },
      { stage: 'AWAITING_SHIPMENT', since, level: 'CRITICAL' },
    ];
    expect(decideStuck(null, reported, at(1), policy)).toEqual({ report: null, resolve: [{ stage: 'AWAITING_SHIPMENT', since }] });
  });

  it('the same stage entered again is a new episode: its crossing is reported again', () => {
    const earlier: OpenReport[] = [{ stage: 'REQUIRES_REVIEW', since, level: 'WARNING' }];
    const again: WatchedStage = { stage: 'REQUIRES_REVIEW', since: at(9000), slaMs: 1000 };
    expect(decideStuck(again, earlier, at(10_000), policy)).toEqual({
      report: { stage: 'REQUIRES_REVIEW', level: 'WARNING', thresholdMs: 1000, since: at(9000) },
      resolve: [{ stage: 'REQUIRES_REVIEW', since }],
    });
  });

  describe('properties', () => {
    const arbStage = fc.record({ stage: fc.constantFrom('A', 'B', 'C'), sinceMs: fc.integer({ min: 0, max: 10_000 }), slaMs: fc.integer({ min: 1, max: 5_000 }) });
    const arbLooks = fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 30 });

    it('looking any number of times reports each level of an episode at most once, in rising order, and never below the SLA', () => {
      fc.assert(
        fc.property(arbStage, arbLooks, (s, gaps) => {
          const current: WatchedStage = { stage: s.stage, since: at(s.sinceMs), slaMs: s.slaMs };
          const reported: OpenReport[] = [];
          let now = s.sinceMs;
          for (const gap of gaps) {
            now += gap;
            const { report } = decideStuck(current, reported, at(now), policy);
            if (report) {
              expect(now - s.sinceMs).toBeGreaterThanOrEqual(report.thresholdMs);
              expect(reported.some((r) => r.level === report.level)).toBe(false);
              reported.push({ stage: report.stage, since: report.since, level: report.level });
            }
          }
          expect(reported.map((r) => r.level)).toEqual(['WARNING', 'CRITICAL'].filter((l) => reported.some((r) => r.level === l)));
          // whatever was reported, the last look left nothing due
          expect(decideStuck(current, reported, at(now), policy).report).toBeNull();
          expect(reported.at(-1)?.level ?? null).toBe(levelAt(now - s.sinceMs, s.slaMs, policy));
        }),
      );
    });

    it('never resolves the episode the subject is in, and always resolves the others', () => {
      fc.assert(
        fc.property(arbStage, fc.array(fc.record({ stage: fc.constantFrom('A', 'B', 'C'), sinceMs: fc.integer({ min: 0, max: 10_000 }), level: fc.constantFrom('WARNING' as const, 'CRITICAL' as const) })), (s, rows) => {
          const current: WatchedStage = { stage: s.stage, since: at(s.sinceMs), slaMs: s.slaMs };
          const reported = rows.map((r) => ({ stage: r.stage, since: at(r.sinceMs), level: r.level }));
          const { resolve } = decideStuck(current, reported, at(20_000), policy);
          expect(resolve.some((r) => r.stage === current.stage && r.since.getTime() === current.since.getTime())).toBe(false);
          const others = new Set(reported.filter((r) => !(r.stage === current.stage && r.since.getTime() === current.since.getTime())).map((r) => `${r.stage}@${r.since.getTime()}`));
          expect(new Set(resolve.map((r) => `${r.stage}@${r.since.getTime()}`))).toEqual(others);
        }),
      );
    });
  });
});
