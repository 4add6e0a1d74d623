/**
 * Postgres text output (the `*_out` functions) for every SqlType, byte-for-byte
 * as PostgreSQL 15 prints it with DateStyle ISO and IntervalStyle postgres.
 *
 * Choices where the engine's representation is narrower than Postgres':
 * - INTERVAL_DAY_TIME (a single µs count) prints with whole days split off:
 *   `1 day 02:00:00`, `-1 days -02:00:00`, `00:00:05`; hours are therefore < 24.
 * - MAP prints as a JSON object (its Postgres type is json): keys are the JSON
 *   strings of the keys' text forms; values are JSON numbers for finite numeric
 *   types, JSON booleans, raw text for JSON values, `null`, else JSON strings.
 * - OID prints as a number; REGCLASS, REGTYPE and REGPROC print as the object's
 *   name when `ctx.objectName` knows it (naming needs the catalog), else as numbers.
 */

import type { SqlType, Value } from '../../catalog/types.ts';
import { assert, InternalError, unreachable } from '../errors.ts';
import { civil, civilFromDays, MICROS_PER_DAY, MICROS_PER_SECOND, zoneOffsetSeconds } from './datetime.ts';
import { formatDecimal } from './decimal.ts';
import type { Numeric } from './numeric.ts';

export interface FormatContext {
  readonly timeZone: string;
  /** The name a REGCLASS / REGTYPE / REGPROC value prints as, or undefined to print the number. */
  readonly objectName?: (type: SqlType, oid: number) => string | undefined;
}

/** The Postgres text form of a non-null value of `type`. */
export function formatValue(value: Value, type: SqlType, ctx: FormatContext): string {
  assert(value !== null, 'formatValue called with NULL');
  switch (type.kind) {
    case 'BOOLEAN':
      return value ? 't' : 'f';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'OID':
      return String(value);
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return ctx.objectName?.(type, value as number) ?? String(value);
    case 'FLOAT':
      return formatFloat4(value as number);
    case 'DOUBLE':
      return formatFloat8(value as number);
    case 'DECIMAL':
      return formatDecimal(value as bigint, type.scale);
    case 'NUMERIC':
      return formatDecimal((value as Numeric).unscaled, (value as Numeric).scale);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
    case 'UUID':
      return value as string;
    case 'BYTES':
      return formatBytea(value as Uint8Array);
    case 'DATE':
      return formatDate(value as number);
    case 'TIME':
      return formatTime(value as number);
    case 'TIMESTAMP':
      return formatTimestamp(value as number);
    case 'TIMESTAMP_LTZ':
      return formatTimestampTz(value as number, ctx.timeZone);
    case 'INTERVAL_DAY_TIME':
      return formatDayTimeInterval(value as number);
    case 'INTERVAL_YEAR_MONTH':
      return formatInterval(value as number, 0, 0);
    case 'ARRAY':
      return formatArray(value as readonly Value[], type.element, ctx);
    case 'ROW':
      return formatRecord(value as readonly Value[], type, ctx);
    case 'MAP':
      return formatMap(value as ReadonlyMap<Value, Value>, type, ctx);
    case 'NULL':
      throw new InternalError('non-null value of type NULL');
    default:
      return unreachable(type);
  }
}

// ------------------------------------------------------------ floats

function formatSpecialFloat(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/**
 * Shortest round-trip digits; exponential form when the decimal exponent is
 * < -4 or >= `maxExp` (15 for float8, 6 for float4), with at least two exponent digits.
 */
function pgFloatText(mantissaExp: string, plain: string, maxExp: number): string {
  const e = mantissaExp.indexOf('e');
  const exp = Number(mantissaExp.slice(e + 1));
  if (exp >= -4 && exp < maxExp) return plain;
  const abs = exp < 0 ? -exp : exp;
  return `${mantissaExp.slice(0, e)}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

export function formatFloat8(v: number): string {
  return formatSpecialFloat(v) ?? pgFloatText(v.toExponential(), String(v), 15);
}

/** Shortest decimal digit count (1..9) that reads back as the same float4. */
function float4Digits(v: number): number {
  for (let p = 1; p < 9; p++) {
    if (Math.fround(Number(v.toPrecision(p))) === v) return p;
  }
  return 9;
}

export function formatFloat4(v: number): string {
  const special = formatSpecialFloat(v);
  if (special !== undefined) return special;
  const f = Math.fround(v);
  const p = float4Digits(f);
  return pgFloatText(f.toExponential(p - 1), String(Number(f.toPrecision(p))), 6);
}

// ------------------------------------------------------------ bytea

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

export function formatBytea(bytes: Uint8Array): string {
  let out = '\\x';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!;
  return out;
}

// ------------------------------------------------------------ date and time

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function padYear(y: number): string {
  return y < 1000 ? String(y).padStart(4, '0') : String(y);
}

/** `YYYY-MM-DD` of days since 1970; returns the BC flag through `dateIsBc`. */
let dateIsBc = false;
function datePart(days: number): string {
  civilFromDays(days);
  let year = civil[0]!;
  dateIsBc = year <= 0;
  if (dateIsBc) year = 1 - year;
  return `${padYear(year)}-${pad2(civil[1]!)}-${pad2(civil[2]!)}`;
}

/** `HH:MM:SS[.ffffff]` with trailing fraction zeros trimmed; hours may exceed 23. */
function clockText(micros: number): string {
  const totalSeconds = Math.floor(micros / MICROS_PER_SECOND);
  const frac = micros - totalSeconds * MICROS_PER_SECOND;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const base = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  if (frac === 0) return base;
  return `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const d = datePart(days);
  return dateIsBc ? `${d} BC` : d;
}

export function formatTime(micros: number): string {
  return clockText(micros);
}

export function formatTimestamp(micros: number): string {
  if (micros === Infinity) return 'infinity';
  if (micros === -Infinity) return '-infinity';
  const days = Math.floor(micros / MICROS_PER_DAY);
  const d = datePart(days);
  const bc = dateIsBc;
  const t = clockText(micros - days * MICROS_PER_DAY);
  return bc ? `${d} ${t} BC` : `${d} ${t}`;
}

/** `+05`, `-03:30`, `+00:19:32`. */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(offsetSeconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  if (s !== 0) return `${sign}${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  if (m !== 0) return `${sign}${pad2(h)}:${pad2(m)}`;
  return `${sign}${pad2(h)}`;
}

export function formatTimestampTz(utcMicros: number, timeZone: string): string {
  if (utcMicros === Infinity) return 'infinity';
  if (utcMicros === -Infinity) return '-infinity';
  const offset = zoneOffsetSeconds(Math.floor(utcMicros / MICROS_PER_SECOND), timeZone);
  const local = utcMicros + offset * MICROS_PER_SECOND;
  const days = Math.floor(local / MICROS_PER_DAY);
  const d = datePart(days);
  const bc = dateIsBc;
  const t = clockText(local - days * MICROS_PER_DAY);
  const o = formatOffset(offset);
  return bc ? `${d} ${t}${o} BC` : `${d} ${t}${o}`;
}

// ------------------------------------------------------------ intervals

/** Postgres' IntervalStyle `postgres` output of a (months, days, µs) interval. */
export function formatInterval(months: number, days: number, micros: number): string {
  let out = '';
  let isZero = true;
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    out += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
    isBefore = value < 0;
    isZero = false;
  };
  part(Math.trunc(months / 12), 'year');
  part(months % 12 || 0, 'mon');
  part(days, 'day');
  if (isZero || micros !== 0) {
    const sign = micros < 0 ? '-' : isBefore ? '+' : '';
    out += `${isZero ? '' : ' '}${sign}${clockText(Math.abs(micros))}`;
  }
  return out;
}

export function formatDayTimeInterval(micros: number): string {
  const days = Math.trunc(micros / MICROS_PER_DAY) || 0;
  return formatInterval(0, days, micros - days * MICROS_PER_DAY);
}

// ------------------------------------------------------------ arrays, records, maps

function isPgSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function arrayElementNeedsQuotes(s: string): boolean {
  if (s.length === 0) return true;
  if (s.length === 4 && s.toUpperCase() === 'NULL') return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123 || c === 125 || c === 44 || c === 34 || c === 92 || isPgSpace(c)) return true;
  }
  return false;
}

function formatArray(values: readonly Value[], element: SqlType, ctx: FormatContext): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i]!;
    if (v === null) {
      out += 'NULL';
    } else if (element.kind === 'ARRAY') {
      out += formatArray(v as readonly Value[], element.element, ctx);
    } else {
      const s = formatValue(v, element, ctx);
      out += arrayElementNeedsQuotes(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
    }
  }
  return out + '}';
}

function recordFieldNeedsQuotes(s: string): boolean {
  if (s.length === 0) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92 || c === 40 || c === 41 || c === 44 || isPgSpace(c)) return true;
  }
  return false;
}

function formatRecord(values: readonly Value[], type: SqlType & { kind: 'ROW' }, ctx: FormatContext): string {
  let out = '(';
  for (let i = 0; i < type.fields.length; i++) {
    if (i > 0) out += ',';
    const v = values[i] ?? null;
    if (v === null) continue;
    const s = formatValue(v, type.fields[i]!.type, ctx);
    out += recordFieldNeedsQuotes(s) ? `"${s.replace(/["\\]/g, '$&$&')}"` : s;
  }
  return out + ')';
}

function jsonValueText(v: Value, type: SqlType, ctx: FormatContext): string {
  if (v === null) return 'null';
  switch (type.kind) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DECIMAL':
    case 'NUMERIC':
    case 'OID':
      return formatValue(v, type, ctx);
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(v as number) ? formatValue(v, type, ctx) : JSON.stringify(formatValue(v, type, ctx));
    case 'JSON':
      return v as string;
    default:
      return JSON.stringify(formatValue(v, type, ctx));
  }
}

function formatMap(map: ReadonlyMap<Value, Value>, type: SqlType & { kind: 'MAP' }, ctx: FormatContext): string {
  let out = '{';
  let first = true;
  for (const [k, v] of map) {
    if (!first) out += ',';
    first = false;
    out += k === null ? '"null"' : JSON.stringify(formatValue(k, type.key, ctx));
    out += ':' + jsonValueText(v, type.value, ctx);
  }
  return out + '}';
}
