/**
 * Calendar and time-zone arithmetic shared by the value layer.
 *
 * Dates use the proleptic Gregorian calendar with astronomical year numbering
 * (year 0 = 1 BC), as Postgres does internally. Time zones are IANA names (or
 * anything Intl.DateTimeFormat accepts); offsets are in seconds east of UTC and
 * keep their seconds (Local Mean Time offsets such as +00:19:32 exist).
 */

import { SqlError, SqlState } from '../errors.ts';

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60_000_000;
export const MICROS_PER_HOUR = 3_600_000_000;
export const MICROS_PER_DAY = 86_400_000_000;
export const SECONDS_PER_DAY = 86_400;
/** Days from 1970-01-01 to 2000-01-01 (the Postgres binary epoch). */
export const PG_EPOCH_DAYS = 10_957;
export const PG_EPOCH_MICROS = PG_EPOCH_DAYS * MICROS_PER_DAY;

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Scratch output of `civilFromDays`: [year, month, day]. Overwritten by each call. */
export const civil = new Int32Array(3);

/** Writes the date of `days` since 1970-01-01 into `civil` (astronomical year). */
export function civilFromDays(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  civil[0] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  civil[1] = m;
  civil[2] = d;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

// ------------------------------------------------------------ time zones

interface ZoneInfo {
  readonly format: Intl.DateTimeFormat | undefined;
  /** Offset (seconds) per UTC hour bucket, for hours without a transition inside. */
  readonly hours: Map<number, number>;
}

const zones = new Map<string, ZoneInfo>();
const HOUR_CACHE_LIMIT = 50_000;

function isUtcName(zone: string): boolean {
  const z = zone.toUpperCase();
  return z === 'UTC' || z === 'GMT' || z === 'Z' || z === 'ETC/UTC' || z === 'ZULU' || z === 'UCT' || z === 'ETC/GMT';
}

function zoneInfo(zone: string): ZoneInfo {
  let info = zones.get(zone);
  if (info !== undefined) return info;
  let format: Intl.DateTimeFormat | undefined;
  if (!isUtcName(zone)) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `time zone "${zone}" not recognized`);
    }
  }
  info = { format, hours: new Map() };
  zones.set(zone, info);
  return info;
}

/** Whether `zone` names a time zone this layer can use. */
export function isValidTimeZone(zone: string): boolean {
  try {
    zoneInfo(zone);
    return true;
  } catch {
    return false;
  }
}

function exactOffset(format: Intl.DateTimeFormat, utcSeconds: number): number {
  const parts = format.formatToParts(new Date(utcSeconds * 1000));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) year = 1 - year;
  const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return local - utcSeconds;
}

/** Offset in seconds east of UTC of `zone` at the instant `utcSeconds` (seconds since 1970, UTC). */
export function zoneOffsetSeconds(utcSeconds: number, zone: string): number {
  const info = zoneInfo(zone);
  if (info.format === undefined) return 0;
  const bucket = Math.floor(utcSeconds / 3600);
  const cached = info.hours.get(bucket);
  if (cached !== undefined) return cached;
  const start = exactOffset(info.format, bucket * 3600);
  const end = exactOffset(info.format, bucket * 3600 + 3599);
  if (start === end) {
    if (info.hours.size >= HOUR_CACHE_LIMIT) info.hours.clear();
    info.hours.set(bucket, start);
    return start;
  }
  return exactOffset(info.format, Math.floor(utcSeconds));
}

/**
 * The UTC instant (µs) of a local wall-clock time (µs since 1970 as if UTC) in `zone`,
 * resolving transitions as Postgres does: an ambiguous time (fall-back) takes the
 * offset after the transition, a time in a gap (spring-forward) the offset before it.
 */
export function localToUtcMicros(localMicros: number, zone: string): number {
  const localSeconds = Math.floor(localMicros / MICROS_PER_SECOND);
  const before = zoneOffsetSeconds(localSeconds - SECONDS_PER_DAY, zone);
  const after = zoneOffsetSeconds(localSeconds + SECONDS_PER_DAY, zone);
  let offset = before;
  if (before !== after) {
    const beforeFits = zoneOffsetSeconds(localSeconds - before, zone) === before;
    const afterFits = zoneOffsetSeconds(localSeconds - after, zone) === after;
    offset = afterFits ? after : before;
    if (!beforeFits && !afterFits) offset = before;
  }
  return localMicros - offset * MICROS_PER_SECOND;
}

/** Local wall-clock µs (as if UTC) of the instant `utcMicros` in `zone`. */
export function utcToLocalMicros(utcMicros: number, zone: string): number {
  return utcMicros + zoneOffsetSeconds(Math.floor(utcMicros / MICROS_PER_SECOND), zone) * MICROS_PER_SECOND;
}
