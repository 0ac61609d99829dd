/**
 * The trend of `ops lag` since its previous run: each figure's change and its rate per second.
 * Pure (trend.spec.ts covers it). Without an earlier sample, or with one that lacks the figure,
 * the change is `null` (unknown), never 0.
 */

export interface Sample<T> {
  at: Date;
  values: T;
}

export type Direction = 'growing' | 'shrinking' | 'steady' | 'unknown';

export interface Change {
  /** Now minus then; null when either is unknown. */
  delta: number | null;
  /** delta per second; null when delta is unknown or no time passed. */
  perSecond: number | null;
}

export function change(then: number | null | undefined, now: number | null | undefined, seconds: number | null): Change {
  if (then === null || then === undefined || now === null || now === undefined) return { delta: null, perSecond: null };
  const delta = now - then;
  return { delta, perSecond: seconds === null || seconds <= 0 ? null : delta / seconds };
}

export const direction = (c: Change): Direction => (c.delta === null ? 'unknown' : c.delta > 0 ? 'growing' : c.delta < 0 ? 'shrinking' : 'steady');

const elapsedSeconds = (previous: Sample<unknown> | undefined, at: Date): number | null => (previous ? (at.getTime() - previous.at.getTime()) / 1000 : null);

/** What a partition sample holds: the group's committed offset, the log end, the lag. */
export interface PartitionFigures {
  committed: number | null;
  end: number;
  lag: number;
}

export interface PartitionTrend {
  /** When the previous sample was taken (null: this is the first). */
  since: string | null;
  seconds: number | null;
  lag: Change;
  /** Records written to the partition per second (its end offset's change). */
  producedPerSecond: number | null;
  /** Records the group committed past per second. */
  consumedPerSecond: number | null;
  direction: Direction;
}

export function partitionTrend(previous: Sample<PartitionFigures> | undefined, current: Sample<PartitionFigures>): PartitionTrend {
  const seconds = elapsedSeconds(previous, current.at);
  const lag = change(previous?.values.lag, current.values.lag, seconds);
  return {
    since: previous ? previous.at.toISOString() : null,
    seconds,
    lag,
    producedPerSecond: change(previous?.values.end, current.values.end, seconds).perSecond,
    consumedPerSecond: change(previous?.values.committed, current.values.committed, seconds).perSecond,
    direction: direction(lag),
  };
}

/** What a slot sample holds (bytes; LSNs as byte positions). */
export interface SlotFigures {
  unconfirmedBytes: number | null;
  retainedBytes: number | null;
  confirmedFlush: number | null;
}

export interface SlotTrend {
  since: string | null;
  seconds: number | null;
  /** WAL not yet confirmed by the connector: its change and bytes/s. */
  unconfirmed: Change;
  /** WAL the slot retains (what fills the disk). */
  retained: Change;
  /** How fast the connector confirms WAL, bytes/s. */
  confirmedPerSecond: number | null;
  direction: Direction;
}

export function slotTrend(previous: Sample<SlotFigures> | undefined, current: Sample<SlotFigures>): SlotTrend {
  const seconds = elapsedSeconds(previous, current.at);
  const unconfirmed = change(previous?.values.unconfirmedBytes, current.values.unconfirmedBytes, seconds);
  return {
    since: previous ? previous.at.toISOString() : null,
    seconds,
    unconfirmed,
    retained: change(previous?.values.retainedBytes, current.values.retainedBytes, seconds),
    confirmedPerSecond: change(previous?.values.confirmedFlush, current.values.confirmedFlush, seconds).perSecond,
    direction: direction(unconfirmed),
  };
}
