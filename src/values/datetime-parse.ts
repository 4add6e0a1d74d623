/**
 * Postgres input for DATE, TIME, TIMESTAMP and TIMESTAMPTZ in ISO forms:
 * `2024-01-05`, `2024-01-05 12:34:56.789`, `2024-01-05T12:34:56Z`,
 * `2024-01-05 12:34:56+05:30`, `2024-01-05 12:34 Europe/Paris`, `0044-03-15 BC`,
 * plus the special words `epoch`, `now`, `today`, `tomorrow`, `yesterday`.
 *
 * Errors: 22007 `invalid input syntax for type <t>: "<text>"` for text that is
 * not a date/time, 22008 `date/time field value out of range: "<text>"` for
 * impossible fields. `infinity` is not representable by the engine (0A000).
 * Fractions beyond µs and beyond the type's precision round half away from zero.
 */

import { notSupported, SqlError, SqlState } from '../errors.ts';
import {
  daysFromCivil,
  daysInMonth,
  localToUtcMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  utcToLocalMicros,
} from './datetime.ts';

/** Postgres' name of each temporal type, as used in its error messages. */
export type TemporalKind = 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ';

const PG_NAMES: Record<TemporalKind, string> = {
  DATE: 'date',
  TIME: 'time',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_LTZ: 'timestamp with time zone',
};

function syntaxError(kind: TemporalKind, text: string): SqlError {
  return new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type ${PG_NAMES[kind]}: "${text}"`);
}

function rangeError(text: string): SqlError {
  return new SqlError(SqlState.DATETIME_FIELD_OVERFLOW, `date/time field value out of range: "${text}"`);
}

const DATE_RE = /^(\d{1,7})-(\d{1,2})-(\d{1,2})/y;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?/y;
const ZONE_RE = /^(?:(z|utc|gmt)(?![a-z/])|([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?|([a-z][a-z0-9_+-]*(?:\/[a-z0-9_+-]+)*))/iy;

/** The result of scanning date/time text; `zone` is an offset in seconds or an IANA name. */
interface Scanned {
  hasDate: boolean;
  days: number;
  hasTime: boolean;
  /** µs since midnight; may equal 24:00:00 (or more with leap second 60). */
  micros: number;
  zone: number | string | undefined;
}

const scanned: Scanned = { hasDate: false, days: 0, hasTime: false, micros: 0, zone: undefined };

/** Rounds fraction digits to µs, half up (the digits are non-negative). */
function fractionMicros(digits: string | undefined): number {
  if (digits === undefined || digits.length === 0) return 0;
  if (digits.length <= 6) return Number(digits.padEnd(6, '0'));
  const whole = Number(digits.slice(0, 6));
  return digits.charCodeAt(6) >= 53 ? whole + 1 : whole;
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/** Scans `text` into `scanned`; false when the text does not have the expected shape. */
function scan(text: string, wantDate: boolean): boolean {
  const s = text.trim();
  scanned.hasDate = false;
  scanned.hasTime = false;
  scanned.days = 0;
  scanned.micros = 0;
  scanned.zone = undefined;
  let i = 0;
  let bc = false;
  let year = 0;
  let month = 0;
  let day = 0;
  DATE_RE.lastIndex = 0;
  const d = DATE_RE.exec(s);
  if (d !== null) {
    scanned.hasDate = true;
    year = Number(d[1]);
    month = Number(d[2]);
    day = Number(d[3]);
    i = DATE_RE.lastIndex;
    const afterDate = skipSpaces(s, i);
    if (s.slice(afterDate, afterDate + 2).toUpperCase() === 'BC' && !/[a-z]/i.test(s.charAt(afterDate + 2))) {
      bc = true;
      i = afterDate + 2;
    }
    if (s.charAt(i) === 'T' || s.charAt(i) === 't') i++;
    else i = skipSpaces(s, i);
  } else if (wantDate) {
    return false;
  }
  TIME_RE.lastIndex = 0;
  const t = TIME_RE.exec(s.slice(i));
  if (t !== null) {
    scanned.hasTime = true;
    const h = Number(t[1]);
    const m = Number(t[2]);
    const sec = t[3] === undefined ? 0 : Number(t[3]);
    if (h > 24 || m > 59 || sec > 60) throw rangeError(text);
    const frac = fractionMicros(t[4]);
    const micros = h * MICROS_PER_HOUR + m * MICROS_PER_MINUTE + sec * MICROS_PER_SECOND + frac;
    if (h === 24 && micros !== 24 * MICROS_PER_HOUR) throw rangeError(text);
    scanned.micros = micros;
    i += TIME_RE.lastIndex;
    i = skipSpaces(s, i);
    if (i < s.length && !(s.slice(i, i + 2).toUpperCase() === 'BC' && i + 2 === s.length)) {
      ZONE_RE.lastIndex = 0;
      const z = ZONE_RE.exec(s.slice(i));
      if (z === null) return false;
      if (z[1] !== undefined) scanned.zone = 0;
      else if (z[2] !== undefined) {
        const off = Number(z[3]) * 3600 + Number(z[4] ?? 0) * 60 + Number(z[5] ?? 0);
        if (Number(z[3]) > 15 || Number(z[4] ?? 0) > 59) {
          throw new SqlError(SqlState.INVALID_TIME_ZONE_DISPLACEMENT_VALUE, `time zone displacement out of range: "${text}"`);
        }
        scanned.zone = z[2] === '-' ? -off : off;
      } else scanned.zone = z[6];
      i = skipSpaces(s, i + ZONE_RE.lastIndex);
    }
  } else if (!scanned.hasDate) {
    return false;
  }
  if (s.slice(i, i + 2).toUpperCase() === 'BC') {
    if (!scanned.hasDate || bc) return false;
    bc = true;
    i = skipSpaces(s, i + 2);
  } else if (s.slice(i, i + 2).toUpperCase() === 'AD' && scanned.hasDate && !bc) {
    i = skipSpaces(s, i + 2);
  }
  if (i !== s.length) return false;
  if (scanned.hasDate) {
    if (month < 1 || month > 12 || day < 1 || year === 0) throw rangeError(text);
    const astro = bc ? 1 - year : year;
    if (day > daysInMonth(astro, month)) throw rangeError(text);
    scanned.days = daysFromCivil(astro, month, day);
  }
  return true;
}

/** Rounds µs to `precision` fraction digits, half away from zero (Postgres' AdjustTimestampForTypmod). */
export function roundMicros(micros: number, precision: number): number {
  if (precision >= 6) return micros;
  const unit = 10 ** (6 - precision);
  const r = Math.round(Math.abs(micros) / unit) * unit;
  return micros < 0 ? -r : r;
}

function special(text: string, kind: TemporalKind, timeZone: string): number | undefined {
  const w = text.trim().toLowerCase();
  switch (w) {
    case 'epoch':
      return 0;
    case 'infinity':
    case '+infinity':
    case '-infinity':
      throw notSupported(`the ${PG_NAMES[kind]} value "${w}"`);
    case 'now':
    case 'today':
    case 'tomorrow':
    case 'yesterday': {
      const nowUtc = Date.now() * 1000;
      if (w === 'now') return kind === 'TIMESTAMP_LTZ' ? nowUtc : utcToLocalMicros(nowUtc, timeZone);
      const local = utcToLocalMicros(nowUtc, timeZone);
      const days = Math.floor(local / MICROS_PER_DAY) + (w === 'tomorrow' ? 1 : w === 'yesterday' ? -1 : 0);
      return kind === 'TIMESTAMP_LTZ' ? localToUtcMicros(days * MICROS_PER_DAY, timeZone) : days * MICROS_PER_DAY;
    }
    default:
      return undefined;
  }
}

/** DATE input: days since 1970-01-01. A time part is accepted and ignored, as Postgres does. */
export function parseDate(text: string, timeZone: string): number {
  const sp = special(text, 'DATE', timeZone);
  if (sp !== undefined) return Math.floor(sp / MICROS_PER_DAY);
  if (!scan(text, true)) throw syntaxError('DATE', text);
  return scanned.days;
}

/** TIME input: µs since midnight (24:00:00 allowed), rounded to `precision`. A date part is ignored. */
export function parseTime(text: string, precision: number, timeZone: string): number {
  const sp = special(text, 'TIME', timeZone);
  if (sp !== undefined) return roundMicros(sp - Math.floor(sp / MICROS_PER_DAY) * MICROS_PER_DAY, precision);
  if (!scan(text, false) || !scanned.hasTime) throw syntaxError('TIME', text);
  return Math.min(roundMicros(scanned.micros, precision), MICROS_PER_DAY);
}

/** TIMESTAMP input: local µs since 1970, any zone in the text ignored (as Postgres does). */
export function parseTimestamp(text: string, precision: number, timeZone: string): number {
  const sp = special(text, 'TIMESTAMP', timeZone);
  if (sp !== undefined) return roundMicros(sp, precision);
  if (!scan(text, true)) throw syntaxError('TIMESTAMP', text);
  return roundMicros(scanned.days * MICROS_PER_DAY + scanned.micros, precision);
}

/** TIMESTAMPTZ input: UTC µs since 1970; text without a zone is read in `timeZone`. */
export function parseTimestampTz(text: string, precision: number, timeZone: string): number {
  const sp = special(text, 'TIMESTAMP_LTZ', timeZone);
  if (sp !== undefined) return roundMicros(sp, precision);
  if (!scan(text, true)) throw syntaxError('TIMESTAMP_LTZ', text);
  const local = scanned.days * MICROS_PER_DAY + scanned.micros;
  const zone = scanned.zone;
  let utc: number;
  if (zone === undefined) utc = localToUtcMicros(local, timeZone);
  else if (typeof zone === 'number') utc = local - zone * MICROS_PER_SECOND;
  else {
    try {
      utc = localToUtcMicros(local, zone);
    } catch {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `time zone "${zone}" not recognized`);
    }
  }
  return roundMicros(utc, precision);
}
