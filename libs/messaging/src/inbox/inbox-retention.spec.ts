import { MIN_INBOX_RETENTION_MS } from '@paystate/contracts';
import { mayHaveMore, pruneCutoff, raisedHorizon } from './inbox-retention';

describe('inbox retention decisions (ADR 0018)', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');

  it('prunes what was processed before now − retention', () => {
    expect(pruneCutoff(now, MIN_INBOX_RETENTION_MS).toISOString()).toBe('2026-11-15T12:00:00.000Z');
    expect(pruneCutoff(now, 1000).toISOString()).toBe('2026-12-01T11:59:59.000Z');
  });

  it('refuses a retention that is not a positive number (it would prune everything)', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => pruneCutoff(now, bad)).toThrow(RangeError);
  });

  it('runs another batch at once only after a full one', () => {
    expect(mayHaveMore({ deleted: 500, handlers: [] }, 500)).toBe(true);
    expect(mayHaveMore({ deleted: 499, handlers: [] }, 500)).toBe(false);
    expect(mayHaveMore({ deleted: 0, handlers: [] }, 500)).toBe(false);
  });

  it('never lowers a horizon, whatever order two batches report in', () => {
    const early = new Date('2026-11-10T00:00:00Z');
    const late = new Date('2026-11-12T00:00:00Z');
    expect(raisedHorizon(undefined, early)).toBe(early);
    expect(raisedHorizon(early, late)).toBe(late);
    expect(raisedHorizon(late, early)).toBe(late);
    expect(raisedHorizon(late, new Date(late))).toBe(late);
  });
});
