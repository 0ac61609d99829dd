import { change, partitionTrend, slotTrend } from './trend';

const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('the trend since the previous ops lag', () => {
  it('without an earlier sample every change is unknown, not 0', () => {
    const t = partitionTrend(undefined, { at: at(10), values: { committed: 5, end: 9, lag: 4 } });
    expect(t).toEqual({ since: null, seconds: null, lag: { delta: null, perSecond: null }, producedPerSecond: null, consumedPerSecond: null, direction: 'unknown' });
  });

  it('gives the change of a partition lag and its rate, with the produce and consume rates', () => {
    const t = partitionTrend({ at: at(0), values: { committed: 10, end: 12, lag: 2 } }, { at: at(10), values: { committed: 30, end: 62, lag: 32 } });
    expect(t).toMatchObject({ since: at(0).toISOString(), seconds: 10, lag: { delta: 30, perSecond: 3 }, producedPerSecond: 5, consumedPerSecond: 2, direction: 'growing' });
  });

  it('leaves the consume rate unknown while the group has committed nothing', () => {
    expect(partitionTrend({ at: at(0), values: { committed: null, end: 1, lag: 1 } }, { at: at(5), values: { committed: 1, end: 1, lag: 0 } })).toMatchObject({ consumedPerSecond: null, lag: { delta: -1 }, direction: 'shrinking' });
  });

  it('a steady figure is a known 0; no time between samples leaves the rate unknown', () => {
    expect(change(3, 3, 2)).toEqual({ delta: 0, perSecond: 0 });
    expect(change(3, 5, 0)).toEqual({ delta: 2, perSecond: null });
  });

  it('gives a slot’s unconfirmed and retained WAL change in bytes/s and how fast it confirms', () => {
    const t = slotTrend({ at: at(0), values: { unconfirmedBytes: 100, retainedBytes: 200, confirmedFlush: 1000 } }, { at: at(4), values: { unconfirmedBytes: 500, retainedBytes: 600, confirmedFlush: 1000 } });
    expect(t).toMatchObject({ seconds: 4, unconfirmed: { delta: 400, perSecond: 100 }, retained: { delta: 400, perSecond: 100 }, confirmedPerSecond: 0, direction: 'growing' });
    expect(slotTrend({ at: at(0), values: { unconfirmedBytes: null, retainedBytes: 1, confirmedFlush: null } }, { at: at(1), values: { unconfirmedBytes: 5, retainedBytes: 1, confirmedFlush: 7 } })).toMatchObject({ unconfirmed: { delta: null }, confirmedPerSecond: null, direction: 'unknown' });
  });
});
