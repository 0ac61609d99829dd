import { PartitionFacts, catchUpProgress, planPartition, rangeReport, totals } from './plan';

const T = Date.parse('2026-12-01T10:00:00Z');
const facts = (over: Partial<PartitionFacts> = {}): PartitionFacts => ({ topic: 'payment.events', partition: 0, committed: 100, low: 0, high: 100, firstRecordAt: T + 1_000, ...over });
const noHorizon = { prunedThrough: null, skewMs: 60_000 };
const byTime = { kind: 'time' as const, at: new Date(T), asked: '2026-12-01T10:00:00Z' };

describe('planPartition', () => {
  it('plans an offset target: current → new, records to replay, first record time', () => {
    const p = planPartition(facts(), { kind: 'offset', offset: 40 }, noHorizon, false);
    expect(p).toMatchObject({ current: 100, requested: 40, target: 40, toReplay: 60, belowHorizon: null, clamped: false, problems: [], firstRecordAt: new Date(T + 1_000).toISOString() });
  });

  it('plans a time target from the offset Kafka found for it', () => {
    expect(planPartition(facts({ offsetForTime: 70 }), byTime, noHorizon, false)).toMatchObject({ target: 70, toReplay: 30, problems: [] });
    // nothing at or after the time: start at the end, nothing to replay
    expect(planPartition(facts({ offsetForTime: 100, firstRecordAt: null }), byTime, noHorizon, false)).toMatchObject({ target: 100, toReplay: 0, firstRecordAt: null, problems: [] });
  });

  it('refuses an offset before the log start instead of clamping silently, unless allowed', () => {
    const refused = planPartition(facts({ low: 50 }), { kind: 'offset', offset: 10 }, noHorizon, false);
    expect(refused.problems.map((x) => x.kind)).toEqual(['before-log-start']);
    const allowed = planPartition(facts({ low: 50 }), { kind: 'offset', offset: 10 }, noHorizon, true);
    expect(allowed).toMatchObject({ requested: 10, target: 50, clamped: true, toReplay: 50, problems: [] });
  });

  it('treats a time whose first retained record is later than it on a truncated partition as before the log start', () => {
    expect(planPartition(facts({ low: 50, offsetForTime: 50, firstRecordAt: T + 5_000 }), byTime, noHorizon, false).problems.map((x) => x.kind)).toEqual(['before-log-start']);
    // never truncated: the first record is simply the first one after the time
    expect(planPartition(facts({ low: 0, offsetForTime: 0, firstRecordAt: T + 5_000 }), byTime, noHorizon, false).problems).toEqual([]);
    // the time falls within the retained log
    expect(planPartition(facts({ low: 50, offsetForTime: 60, firstRecordAt: T + 5_000 }), byTime, noHorizon, false).problems).toEqual([]);
  });

  it('calls an offset beyond the log end what it is', () => {
    expect(planPartition(facts(), { kind: 'offset', offset: 101 }, noHorizon, false).problems.map((x) => x.kind)).toEqual(['beyond-log-end']);
  });

  it('refuses a start at or below the dedup horizon + skew and counts the records below it', () => {
    const horizon = { prunedThrough: new Date(T), skewMs: 60_000 };
    // records from offset 40; those before offset 55 are at or before T + 1 min
    const p = planPartition(facts({ firstRecordAt: T - 10_000, offsetAboveHorizon: 55 }), { kind: 'offset', offset: 40 }, horizon, false);
    expect(p.belowHorizon).toBe(15);
    expect(p.problems).toEqual([expect.objectContaining({ kind: 'below-horizon', records: 15 })]);
    // the skew counts: a first record 30 s after the horizon is still refused
    const skewed = planPartition(facts({ firstRecordAt: T + 30_000, offsetAboveHorizon: 40 }), { kind: 'offset', offset: 40 }, horizon, false);
    expect(skewed.problems.map((x) => x.kind)).toEqual(['below-horizon']);
    // every record after the horizon + skew: allowed, 0 below it
    const fine = planPartition(facts({ firstRecordAt: T + 61_000, offsetAboveHorizon: 40 }), { kind: 'offset', offset: 40 }, horizon, false);
    expect(fine).toMatchObject({ belowHorizon: 0, problems: [] });
    // nothing to replay: nothing to refuse
    expect(planPartition(facts({ firstRecordAt: null, offsetAboveHorizon: 100 }), { kind: 'offset', offset: 100 }, horizon, false).problems).toEqual([]);
  });
});

describe('catchUpProgress', () => {
  it('is Σ(committed − start) / Σ(end − start), capped per partition, unknown commits counting 0', () => {
    expect(catchUpProgress([{ target: 10, end: 20, committed: 15 }, { target: 0, end: 10, committed: 30 }, { target: 5, end: 5, committed: null }, { target: 0, end: 4, committed: null }])).toEqual({ done: 15, total: 24 });
  });
});

describe('rangeReport', () => {
  it('counts what has no inbox row of the group as ignored (no handler for its type)', () => {
    const r = rangeReport({ topic: 't', partition: 1, from: 10, to: 30 }, { processed: 2, deadLettered: 1, deduplicated: 12 });
    expect(r).toMatchObject({ records: 20, processed: 2, deadLettered: 1, deduplicated: 12, ignored: 5 });
    expect(totals([r, rangeReport({ topic: 't', partition: 2, from: 0, to: 3 }, { processed: 0, deadLettered: 0, deduplicated: 3 })])).toEqual({ records: 23, processed: 2, deadLettered: 1, deduplicated: 15, ignored: 5 });
  });
});
