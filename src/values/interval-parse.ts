/**
 * Interval input: Postgres free text (`1 day 2 hours`, `@ 3 mins ago`, `01:02:03`,
 * `1 2:03:04`), ISO 8601 (`P1Y2M3DT4H5M6S`), and the SQL-standard qualified
 * literals Flink writes (`INTERVAL '10 00:00:00.004' DAY TO SECOND`,
 * `INTERVAL '2-10' YEAR TO MONTH`).
 *
 * The engine has two interval types: INTERVAL_YEAR_MONTH (months) and
 * INTERVAL_DAY_TIME (µs). An interval that mixes months with days or time has
 * no representation and is rejected with 0A000. Fractional units spill into
 * smaller ones as in Postgres (`1.5 years` = 18 months, `1.5 days` = 36 hours,
 * a month counts 30 days when spilling).
 */

import type { IntervalUnit } from '../../grammar/ast.ts';
import { INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, type SqlType } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from './datetime.ts';

/** A Postgres interval split into its three fields. */
export interface IntervalParts {
  months: number;
  days: number;
  micros: number;
}

function invalid(text: string): SqlError {
  return new SqlError(SqlState.INVALID_DATETIME_FORMAT, `invalid input syntax for type interval: "${text}"`);
}

type Unit = 'millennium' | 'century' | 'decade' | 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond' | 'microsecond';

const UNIT_NAMES: ReadonlyMap<string, Unit> = new Map<string, Unit>([
  ...['millennium', 'millennia', 'millenniums', 'mil', 'mils'].map((n) => [n, 'millennium'] as const),
  ...['century', 'centuries', 'cent', 'c'].map((n) => [n, 'century'] as const),
  ...['decade', 'decades', 'dec', 'decs'].map((n) => [n, 'decade'] as const),
  ...['year', 'years', 'y', 'yr', 'yrs'].map((n) => [n, 'year'] as const),
  ...['month', 'months', 'mon', 'mons'].map((n) => [n, 'month'] as const),
  ...['week', 'weeks', 'w'].map((n) => [n, 'week'] as const),
  ...['day', 'days', 'd'].map((n) => [n, 'day'] as const),
  ...['hour', 'hours', 'h', 'hr', 'hrs'].map((n) => [n, 'hour'] as const),
  ...['minute', 'minutes', 'm', 'min', 'mins'].map((n) => [n, 'minute'] as const),
  ...['second', 'seconds', 's', 'sec', 'secs'].map((n) => [n, 'second'] as const),
  ...['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'millisecon'].map((n) => [n, 'millisecond'] as const),
  ...['microsecond', 'microseconds', 'us', 'usec', 'usecs', 'microsecon'].map((n) => [n, 'microsecond'] as const),
]);

/** Adds `value` of `unit` to `parts`, spilling fractions downwards like Postgres. */
function addUnit(parts: IntervalParts, value: number, unit: Unit): void {
  switch (unit) {
    case 'millennium':
      return addMonths(parts, value * 12000);
    case 'century':
      return addMonths(parts, value * 1200);
    case 'decade':
      return addMonths(parts, value * 120);
    case 'year':
      return addMonths(parts, value * 12);
    case 'month':
      return addMonths(parts, value);
    case 'week':
      return addDays(parts, value * 7);
    case 'day':
      return addDays(parts, value);
    case 'hour':
      parts.micros += Math.round(value * MICROS_PER_HOUR);
      return;
    case 'minute':
      parts.micros += Math.round(value * MICROS_PER_MINUTE);
      return;
    case 'second':
      parts.micros += Math.round(value * MICROS_PER_SECOND);
      return;
    case 'millisecond':
      parts.micros += Math.round(value * 1000);
      return;
    case 'microsecond':
      parts.micros += Math.round(value);
      return;
  }
}

function addMonths(parts: IntervalParts, months: number): void {
  const whole = Math.trunc(months);
  parts.months += whole;
  const frac = months - whole;
  if (frac !== 0) addDays(parts, Math.round(frac * 30 * 1e6) / 1e6);
}

function addDays(parts: IntervalParts, days: number): void {
  const whole = Math.trunc(days);
  parts.days += whole;
  const frac = days - whole;
  if (frac !== 0) parts.micros += Math.round(frac * MICROS_PER_DAY);
}

const TIME_RE = /^([+-]?)(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/;
const NUMBER_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([a-z]*)$/;
const ISO_RE = /^P(?:(-?\d+(?:\.\d+)?)Y)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)W)?(?:(-?\d+(?:\.\d+)?)D)?(?:T(?:(-?\d+(?:\.\d+)?)H)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/;

function clockMicros(m: RegExpExecArray): number {
  const h = Number(m[2]);
  const min = Number(m[3]);
  const s = m[4] === undefined ? 0 : Number(m[4]);
  const v = h * MICROS_PER_HOUR + min * MICROS_PER_MINUTE + Math.round(s * MICROS_PER_SECOND);
  return m[1] === '-' ? -v : v;
}

/**
 * Parses Postgres interval text into its fields. `bareUnit` is the unit of a
 * trailing number written without one (seconds in plain Postgres input).
 * Returns undefined when the text is not an interval.
 */
export function parseIntervalParts(text: string, bareUnit: Unit = 'second'): IntervalParts | undefined {
  const trimmed = text.trim();
  const iso = ISO_RE.exec(trimmed.toUpperCase());
  if (iso !== null && trimmed.length > 1 && trimmed.toUpperCase() !== 'PT') {
    const parts: IntervalParts = { months: 0, days: 0, micros: 0 };
    const units: Unit[] = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second'];
    for (let i = 0; i < units.length; i++) {
      const v = iso[i + 1];
      if (v !== undefined) addUnit(parts, Number(v), units[i]!);
    }
    return parts;
  }
  const tokens = trimmed.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
  if (tokens[0] === '@') tokens.shift();
  if (tokens.length === 0) return undefined;
  const parts: IntervalParts = { months: 0, days: 0, micros: 0 };
  let ago = false;
  let sawTime = false;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === 'ago') {
      if (i !== tokens.length - 1 || ago) return undefined;
      ago = true;
      continue;
    }
    const time = TIME_RE.exec(tok);
    if (time !== null) {
      if (sawTime) return undefined;
      sawTime = true;
      parts.micros += clockMicros(time);
      continue;
    }
    const num = NUMBER_RE.exec(tok);
    if (num === null) return undefined;
    const value = Number(num[1]);
    let unitName = num[2] ?? '';
    if (unitName === '') {
      const next = tokens[i + 1];
      if (next !== undefined && UNIT_NAMES.has(next)) {
        unitName = next;
        i++;
      }
    }
    if (unitName === '') {
      // A bare number before a clock time counts days ("1 2:03:04"); a trailing one takes `bareUnit`.
      const next = tokens[i + 1];
      if (next !== undefined && TIME_RE.test(next)) addUnit(parts, value, 'day');
      else if (next === undefined || next === 'ago') addUnit(parts, value, bareUnit);
      else return undefined;
      continue;
    }
    const unit = UNIT_NAMES.get(unitName);
    if (unit === undefined) return undefined;
    addUnit(parts, value, unit);
  }
  if (ago) {
    parts.months = -parts.months || 0;
    parts.days = -parts.days || 0;
    parts.micros = -parts.micros || 0;
  }
  return parts;
}

/** A parsed interval literal: its engine type and value (months or µs). */
export interface IntervalLiteral {
  readonly type: SqlType;
  readonly value: number;
}

function toLiteral(parts: IntervalParts, text: string): IntervalLiteral {
  if (parts.months !== 0) {
    if (parts.days !== 0 || parts.micros !== 0) {
      throw new SqlError(
        SqlState.FEATURE_NOT_SUPPORTED,
        `interval "${text}" mixes months with days or time, which is not supported yet`,
        { hint: 'Write the year-month part and the day-time part as two intervals and add both.' },
      );
    }
    return { type: INTERVAL_YEAR_MONTH, value: parts.months };
  }
  return { type: INTERVAL_DAY_TIME, value: parts.days * MICROS_PER_DAY + parts.micros };
}

const UNIT_MICROS: Partial<Record<IntervalUnit, number>> = {
  WEEK: 7 * MICROS_PER_DAY,
  DAY: MICROS_PER_DAY,
  HOUR: MICROS_PER_HOUR,
  MINUTE: MICROS_PER_MINUTE,
  SECOND: MICROS_PER_SECOND,
  MILLISECOND: 1000,
  MICROSECOND: 1,
};

const LOWER_UNIT: Record<IntervalUnit, Unit> = {
  YEAR: 'year',
  MONTH: 'month',
  WEEK: 'week',
  DAY: 'day',
  HOUR: 'hour',
  MINUTE: 'minute',
  SECOND: 'second',
  MILLISECOND: 'millisecond',
  MICROSECOND: 'microsecond',
};

const SIGNED_NUMBER = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)$/;
const DAY_HOUR = /^([+-]?)(\d+)\s+(\d+)$/;
const DAY_MINUTE = /^([+-]?)(\d+)\s+(\d+):(\d+)$/;
const DAY_SECOND = /^([+-]?)(\d+)\s+(\d+):(\d+):(\d+(?:\.\d*)?)$/;
const HOUR_MINUTE = /^([+-]?)(\d+):(\d+)$/;
const HOUR_SECOND = /^([+-]?)(\d+):(\d+):(\d+(?:\.\d*)?)$/;
const MINUTE_SECOND = /^([+-]?)(\d+):(\d+(?:\.\d*)?)$/;
const YEAR_MONTH = /^([+-]?)(\d+)-(\d+)$/;

function signed(sign: string | undefined, v: number): number {
  return sign === '-' ? -v || 0 : v;
}

/** The SQL-standard form of a qualified day-time literal, in µs, or undefined. */
function qualifiedDayTime(s: string, from: IntervalUnit, to: IntervalUnit | undefined): number | undefined {
  if (to === undefined || to === from) {
    const m = SIGNED_NUMBER.exec(s);
    const unit = UNIT_MICROS[from];
    if (m === null || unit === undefined) return undefined;
    return signed(m[1], Math.round(Number(m[2]) * unit));
  }
  let m: RegExpExecArray | null = null;
  let v = 0;
  const key = `${from} ${to}`;
  switch (key) {
    case 'DAY HOUR':
      m = DAY_HOUR.exec(s);
      if (m !== null) v = Number(m[2]) * MICROS_PER_DAY + Number(m[3]) * MICROS_PER_HOUR;
      break;
    case 'DAY MINUTE':
      m = DAY_MINUTE.exec(s);
      if (m !== null) v = Number(m[2]) * MICROS_PER_DAY + Number(m[3]) * MICROS_PER_HOUR + Number(m[4]) * MICROS_PER_MINUTE;
      break;
    case 'DAY SECOND':
      m = DAY_SECOND.exec(s);
      if (m !== null)
        v =
          Number(m[2]) * MICROS_PER_DAY +
          Number(m[3]) * MICROS_PER_HOUR +
          Number(m[4]) * MICROS_PER_MINUTE +
          Math.round(Number(m[5]) * MICROS_PER_SECOND);
      break;
    case 'HOUR MINUTE':
      m = HOUR_MINUTE.exec(s);
      if (m !== null) v = Number(m[2]) * MICROS_PER_HOUR + Number(m[3]) * MICROS_PER_MINUTE;
      break;
    case 'HOUR SECOND':
      m = HOUR_SECOND.exec(s);
      if (m !== null)
        v = Number(m[2]) * MICROS_PER_HOUR + Number(m[3]) * MICROS_PER_MINUTE + Math.round(Number(m[4]) * MICROS_PER_SECOND);
      break;
    case 'MINUTE SECOND':
      m = MINUTE_SECOND.exec(s);
      if (m !== null) v = Number(m[2]) * MICROS_PER_MINUTE + Math.round(Number(m[3]) * MICROS_PER_SECOND);
      break;
    default:
      return undefined;
  }
  return m === null ? undefined : signed(m[1], v);
}

/**
 * Parses the text of an INTERVAL literal with its optional qualifier:
 * `INTERVAL '5' SECOND` -> day-time 5_000_000; `INTERVAL '2-10' YEAR TO MONTH` -> 34 months;
 * `INTERVAL '10 00:00:00.004' DAY TO SECOND`; `INTERVAL '5 seconds'` (no qualifier:
 * Postgres free text, year-month when it has only years/months).
 * Throws 22007 for bad text and 0A000 for intervals mixing months with days/time.
 */
export function parseIntervalLiteral(
  value: string,
  qualifier: { readonly from: IntervalUnit; readonly to?: IntervalUnit } | undefined,
): IntervalLiteral {
  const s = value.trim();
  if (qualifier === undefined) {
    const parts = parseIntervalParts(s);
    if (parts === undefined) throw invalid(value);
    return toLiteral(parts, value);
  }
  const { from, to } = qualifier;
  if (from === 'YEAR' || from === 'MONTH') {
    if (to !== undefined && to !== 'MONTH' && to !== 'YEAR') throw invalid(value);
    if (from === 'YEAR' && to === 'MONTH') {
      const m = YEAR_MONTH.exec(s);
      if (m !== null) return { type: INTERVAL_YEAR_MONTH, value: signed(m[1], Number(m[2]) * 12 + Number(m[3])) };
    } else {
      const m = SIGNED_NUMBER.exec(s);
      if (m !== null) {
        const parts: IntervalParts = { months: 0, days: 0, micros: 0 };
        addUnit(parts, signed(m[1], Number(m[2])), from === 'YEAR' ? 'year' : 'month');
        if (parts.days === 0 && parts.micros === 0) return { type: INTERVAL_YEAR_MONTH, value: parts.months };
      }
    }
    const parts = parseIntervalParts(s, LOWER_UNIT[to ?? from]);
    if (parts === undefined || parts.days !== 0 || parts.micros !== 0) throw invalid(value);
    return { type: INTERVAL_YEAR_MONTH, value: from === 'YEAR' && to === undefined ? parts.months - (parts.months % 12) : parts.months };
  }
  if (to === 'YEAR' || to === 'MONTH') throw invalid(value);
  const direct = qualifiedDayTime(s, from, to);
  if (direct !== undefined) return { type: INTERVAL_DAY_TIME, value: direct };
  const parts = parseIntervalParts(s, LOWER_UNIT[to ?? from]);
  if (parts === undefined) throw invalid(value);
  const lit = toLiteral(parts, value);
  if (lit.type.kind !== 'INTERVAL_DAY_TIME') throw invalid(value);
  // Postgres drops fields below the qualifier's last unit.
  const step = UNIT_MICROS[to ?? from] ?? 1;
  const last = to ?? from;
  if (last === 'SECOND' || last === 'MILLISECOND' || last === 'MICROSECOND') return lit;
  return { type: INTERVAL_DAY_TIME, value: lit.value - (lit.value % step) || 0 };
}
