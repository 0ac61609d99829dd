import { usageError } from '../errors';

/**
 * Instants and durations as an operator types them. Only zoned instants are taken: Kafka's own
 * tool reads a zone-less time as UTC without saying so (ops-anchors §1.1), which is how a replay
 * ends up hours off. A zone-less time is a usage error; the parsed instant is echoed in UTC.
 */
const ZONED_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function parseZonedInstant(text: string): Date {
  const m = ZONED_ISO.exec(text.trim());
  if (!m) {
    const looksZoneless = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text.trim());
    throw usageError(
      looksZoneless ? `the time "${text}" has no zone` : `"${text}" is not an ISO-8601 instant`,
      'give the zone explicitly, e.g. 2026-12-01T10:00:00Z or 2026-12-01T11:00:00+01:00',
    );
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) throw usageError(`"${text}" is not a valid time`);
  const millis = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    const zh = Number(digits.slice(1, 3));
    const zm = Number(digits.slice(3, 5));
    if (zh > 23 || zm > 59) throw usageError(`"${text}" has an invalid zone offset`);
    offsetMinutes = sign * (zh * 60 + zm);
  }
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  const date = new Date(utc);
  // Date.UTC rolls 2026-02-31 over into March: refuse it instead
  const local = new Date(utc + offsetMinutes * 60_000);
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month - 1) throw usageError(`"${text}" is not a valid date`);
  return date;
}

const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * An ISO-8601 duration of weeks, days, hours, minutes and seconds (PT15M, P1D, P1DT2H30M) in
 * milliseconds. Years and months have no fixed length and are refused (use days).
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  const m = DURATION.exec(t);
  if (!m || t.toUpperCase() === 'P' || t.toUpperCase().endsWith('T')) {
    throw usageError(`"${text}" is not an ISO-8601 duration of weeks, days, hours, minutes or seconds`, 'e.g. PT15M, PT2H, P1D, P1DT12H');
  }
  const [, w, d, h, mi, s] = m;
  const ms = (Number(w ?? 0) * 7 * 86_400 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3_600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) * 1000;
  if (!Number.isFinite(ms) || ms <= 0) throw usageError(`the duration "${text}" must be longer than zero`);
  return Math.round(ms);
}

/** A duration for a person: 1d2h, 15m, 4.2s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = total % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', !d && s ? `${s}s` : ''].join('') || '0s';
}
