import { EXIT, OpsError } from '../errors';
import { formatDuration, parseDuration, parseZonedInstant } from './time';

const usage = (fn: () => unknown): void => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).exitCode).toBe(EXIT.usage);
    return;
  }
  throw new Error('expected a usage error');
};

describe('parseZonedInstant', () => {
  it('takes Z and numeric offsets and gives the UTC instant', () => {
    expect(parseZonedInstant('2026-12-01T10:00:00Z').toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(parseZonedInstant('2026-12-01T11:00:00+01:00').toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(parseZonedInstant('2026-12-01T05:30-0430').toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(parseZonedInstant('2026-12-01T10:00:00.123456Z').toISOString()).toBe('2026-12-01T10:00:00.123Z');
  });

  it('refuses a time without a zone, saying so', () => {
    expect(() => parseZonedInstant('2026-12-01T10:00:00')).toThrow(/no zone/);
    usage(() => parseZonedInstant('2026-12-01 10:00'));
    usage(() => parseZonedInstant('2026-12-01'));
  });

  it('refuses what is not a valid instant', () => {
    usage(() => parseZonedInstant('yesterday'));
    usage(() => parseZonedInstant('2026-02-31T10:00:00Z'));
    usage(() => parseZonedInstant('2026-12-01T24:00:00Z'));
    usage(() => parseZonedInstant('2026-12-01T10:00:00+25:00'));
  });
});

describe('parseDuration', () => {
  it('reads ISO-8601 durations of weeks, days, hours, minutes and seconds', () => {
    expect(parseDuration('PT15M')).toBe(15 * 60_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(parseDuration('P1DT2H30M')).toBe(86_400_000 + 2.5 * 3_600_000);
    expect(parseDuration('PT0.5S')).toBe(500);
    expect(parseDuration('P1W')).toBe(7 * 86_400_000);
  });

  it('refuses anything else', () => {
    for (const bad of ['15m', 'P', 'PT', 'P1M', 'P1Y', 'PT0S', '-PT1M', '']) usage(() => parseDuration(bad));
  });
});

describe('formatDuration', () => {
  it('is short and readable', () => {
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(4_200)).toBe('4.2s');
    expect(formatDuration(15 * 60_000)).toBe('15m');
    expect(formatDuration(7 * 86_400_000)).toBe('7d');
    expect(formatDuration(86_400_000 + 2 * 3_600_000)).toBe('1d2h');
  });
});
