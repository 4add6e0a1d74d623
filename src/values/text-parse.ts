/**
 * Postgres text input (the `*_in` functions) for every SqlType: bind parameters
 * in text format, string-literal casts (`'2024-01-01'::date`), COPY.
 *
 * Errors follow Postgres: 22P02 `invalid input syntax for type integer: "abc"`,
 * 22003 `value "x" is out of range for type integer`, 22007/22008 for dates,
 * 22001 for CHAR(n)/VARCHAR(n) overflow of non-blank characters (the input
 * function's rule; explicit casts truncate instead, see cast.ts).
 *
 * REGCLASS/REGTYPE/REGPROC accept numeric OIDs only; names need the catalog and
 * are resolved by the binder/session before they reach this layer.
 * MAP input is the JSON object text that text-format.ts prints.
 */

import { MAX_LENGTH, type SqlType, type Value } from '../../catalog/types.ts';
import { InternalError, notSupported, SqlError, SqlState, unreachable } from '../errors.ts';
import { parseDate, parseTime, parseTimestamp, parseTimestampTz } from './datetime-parse.ts';
import { checkPrecision, parseDecimal } from './decimal.ts';
import { parseNumeric as parseNumericText, type Numeric } from './numeric.ts';
import { parseIntervalLiteral } from './interval-parse.ts';

export interface ParseContext {
  readonly timeZone: string;
}

function invalidSyntax(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type ${typeName}: "${text}"`);
}

/** Parses the Postgres text form of a value of `type`. */
export function parseValue(text: string, type: SqlType, ctx: ParseContext): Value {
  switch (type.kind) {
    case 'BOOLEAN':
      return parseBool(text);
    case 'TINYINT':
      return parseInteger(text, -128, 127, 'tinyint');
    case 'SMALLINT':
      return parseInteger(text, -32768, 32767, 'smallint');
    case 'INT':
      return parseInteger(text, -2147483648, 2147483647, 'integer');
    case 'BIGINT':
      return parseBigint(text);
    case 'FLOAT':
      return parseFloat(text, true);
    case 'DOUBLE':
      return parseFloat(text, false);
    case 'DECIMAL':
      return parseNumeric(text, type.precision, type.scale);
    case 'NUMERIC':
      return parseUnconstrained(text);
    case 'CHAR':
      return padChar(checkLength(text, type.length, 'character'), type.length);
    case 'VARCHAR':
      return type.length === MAX_LENGTH ? text : checkLength(text, type.length, 'character varying');
    case 'NAME':
      return truncateUtf8(text, 63);
    case 'PG_CHAR':
      return text.length === 0 ? '' : String.fromCodePoint(text.codePointAt(0)!);
    case 'JSON':
      return parseJson(text);
    case 'UUID':
      return parseUuid(text);
    case 'BYTES':
      return parseBytea(text);
    case 'DATE':
      return parseDate(text, ctx.timeZone);
    case 'TIME':
      return parseTime(text, type.precision, ctx.timeZone);
    case 'TIMESTAMP':
      return parseTimestamp(text, type.precision, ctx.timeZone);
    case 'TIMESTAMP_LTZ':
      return parseTimestampTz(text, type.precision, ctx.timeZone);
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return parseIntervalValue(text, type.kind);
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return parseOid(text, type.kind === 'OID' ? 'oid' : type.kind.toLowerCase());
    case 'ARRAY':
      return parseArray(text, type, ctx);
    case 'ROW':
      return parseRecord(text, type, ctx);
    case 'MAP':
      return parseMap(text, type, ctx);
    case 'NULL':
      throw new InternalError('parseValue called for the NULL type');
    default:
      return unreachable(type);
  }
}

// ------------------------------------------------------------ scalars

const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

/** Postgres boolin: case-insensitive unique prefixes of true/yes/false/no, `on`/`off`, `1`/`0`. */
export function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (s.length > 0) {
    for (const w of TRUE_WORDS) if (w.startsWith(s) && (s.length > 1 || w !== 'on')) return true;
    for (const w of FALSE_WORDS) if (w.startsWith(s) && s.length >= (w === 'off' ? 2 : 1)) return false;
  }
  throw invalidSyntax('boolean', text);
}

const INT_RE = /^\s*[+-]?\d+\s*$/;

function parseInteger(text: string, min: number, max: number, typeName: string): number {
  if (!INT_RE.test(text)) throw invalidSyntax(typeName, text);
  const v = Number(text.trim());
  if (v < min || v > max) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type ${typeName}`);
  }
  return v || 0;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseBigint(text: string): bigint {
  if (!INT_RE.test(text)) throw invalidSyntax('bigint', text);
  const v = BigInt(text.trim());
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type bigint`);
  }
  return v;
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseFloat(text: string, single: boolean): number {
  const typeName = single ? 'real' : 'double precision';
  const s = text.trim();
  const lower = s.toLowerCase();
  switch (lower) {
    case 'nan':
      return NaN;
    case 'infinity':
    case '+infinity':
    case 'inf':
    case '+inf':
      return Infinity;
    case '-infinity':
    case '-inf':
      return -Infinity;
    default:
      break;
  }
  if (!FLOAT_RE.test(s)) throw invalidSyntax(typeName, text);
  const v = single ? Math.fround(Number(s)) : Number(s);
  if (!Number.isFinite(v)) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `"${text}" is out of range for type ${typeName}`);
  }
  return v;
}

function parseNumeric(text: string, precision: number, scale: number): bigint {
  const v = parseDecimal(text, scale);
  if (v === undefined) throw badNumeric(text);
  return checkPrecision(v, precision, scale);
}

function parseUnconstrained(text: string): Numeric {
  const v = parseNumericText(text);
  if (v === undefined) throw badNumeric(text);
  return v;
}

function badNumeric(text: string): SqlError {
  const w = text.trim().toLowerCase();
  if (w === 'nan' || w === 'infinity' || w === '-infinity' || w === '+infinity' || w === 'inf' || w === '-inf') {
    return notSupported(`the numeric value "${text.trim()}" in DECIMAL`);
  }
  return invalidSyntax('numeric', text);
}

function parseOid(text: string, typeName: string): number {
  if (!INT_RE.test(text)) throw invalidSyntax(typeName, text);
  const v = Number(text.trim());
  if (v < -2147483648 || v > 4294967295) {
    throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `value "${text}" is out of range for type ${typeName}`);
  }
  return v >>> 0;
}

/** Postgres' length rule for character input: extra characters must all be spaces, which are dropped. */
function checkLength(text: string, length: number, typeName: string): string {
  if (text.length <= length) return text;
  for (let i = length; i < text.length; i++) {
    if (text.charCodeAt(i) !== 32) {
      throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type ${typeName}(${length})`);
    }
  }
  return text.slice(0, length);
}

export function padChar(text: string, length: number): string {
  return text.length >= length ? text : text.padEnd(length, ' ');
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = utf8.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return utf8Decoder.decode(bytes.subarray(0, end));
}

function parseJson(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, 'invalid input syntax for type json', {
      detail: e instanceof Error ? e.message : String(e),
    });
  }
  return text;
}

const UUID_RE = /^\{?([0-9a-f]{4}-?){7}[0-9a-f]{4}\}?$/i;

function parseUuid(text: string): string {
  const s = text.trim();
  if (!UUID_RE.test(s) || (s.startsWith('{') !== s.endsWith('}'))) throw invalidSyntax('uuid', text);
  const hex = s.replace(/[{}-]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** bytea input: `\x` hex (whitespace between digit pairs allowed) or the escape format. */
export function parseBytea(text: string): Uint8Array {
  if (text.length >= 2 && text.charCodeAt(0) === 92 && (text.charCodeAt(1) === 120 || text.charCodeAt(1) === 88)) {
    const out = new Uint8Array((text.length - 2) >> 1);
    let n = 0;
    let i = 2;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || (c >= 9 && c <= 13)) {
        i++;
        continue;
      }
      const hi = hexValue(c);
      if (hi < 0) throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid hexadecimal digit: "${text.charAt(i)}"`);
      if (i + 1 >= text.length) {
        throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, 'invalid hexadecimal data: odd number of digits');
      }
      const lo = hexValue(text.charCodeAt(i + 1));
      if (lo < 0) throw new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid hexadecimal digit: "${text.charAt(i + 1)}"`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    }
    return out.slice(0, n);
  }
  const src = utf8.encode(text);
  const out = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b !== 92) {
      out[n++] = b;
      continue;
    }
    const b1 = src[i + 1];
    if (b1 === 92) {
      out[n++] = 92;
      i++;
      continue;
    }
    const b2 = src[i + 2];
    const b3 = src[i + 3];
    if (
      b1 !== undefined && b2 !== undefined && b3 !== undefined &&
      b1 >= 48 && b1 <= 51 && b2 >= 48 && b2 <= 55 && b3 >= 48 && b3 <= 55
    ) {
      out[n++] = ((b1 - 48) << 6) | ((b2 - 48) << 3) | (b3 - 48);
      i += 3;
      continue;
    }
    throw invalidSyntaxBare('bytea');
  }
  return out.slice(0, n);
}

function invalidSyntaxBare(typeName: string): SqlError {
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type ${typeName}`);
}

function parseIntervalValue(text: string, kind: 'INTERVAL_DAY_TIME' | 'INTERVAL_YEAR_MONTH'): number {
  const lit = parseIntervalLiteral(text, undefined);
  if (lit.type.kind === kind) return lit.value;
  if (lit.value === 0) return 0;
  throw new SqlError(
    SqlState.FEATURE_NOT_SUPPORTED,
    kind === 'INTERVAL_DAY_TIME'
      ? `interval "${text}" has years or months, which a day-time interval cannot hold`
      : `interval "${text}" has days or time, which a year-month interval cannot hold`,
  );
}

// ------------------------------------------------------------ arrays and records

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function malformedArray(text: string, detail: string): SqlError {
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `malformed array literal: "${text}"`, { detail });
}

/** Postgres array_in for `{...}` text; nested braces for ARRAY<ARRAY<T>>. Dimension decorations are not accepted. */
function parseArray(text: string, type: SqlType & { kind: 'ARRAY' }, ctx: ParseContext): Value[] {
  let pos = 0;
  const s = text;
  const skip = (): void => {
    while (pos < s.length && isSpace(s.charCodeAt(pos))) pos++;
  };
  const level = (t: SqlType & { kind: 'ARRAY' }): Value[] => {
    skip();
    if (s.charAt(pos) !== '{') throw malformedArray(text, pos === 0 ? 'Array value must start with "{" or dimension information.' : 'Unexpected array element.');
    pos++;
    const out: Value[] = [];
    skip();
    if (s.charAt(pos) === '}') {
      pos++;
      return out;
    }
    for (;;) {
      skip();
      if (pos >= s.length) throw malformedArray(text, 'Unexpected end of input.');
      if (t.element.kind === 'ARRAY' && s.charAt(pos) === '{') {
        out.push(level(t.element));
      } else if (s.charAt(pos) === '{') {
        throw malformedArray(text, 'Unexpected "{" character.');
      } else {
        let item = '';
        let quoted = false;
        if (s.charAt(pos) === '"') {
          quoted = true;
          pos++;
          for (;;) {
            if (pos >= s.length) throw malformedArray(text, 'Unexpected end of input.');
            const ch = s.charAt(pos);
            if (ch === '\\') {
              if (pos + 1 >= s.length) throw malformedArray(text, 'Unexpected end of input.');
              item += s.charAt(pos + 1);
              pos += 2;
            } else if (ch === '"') {
              pos++;
              break;
            } else {
              item += ch;
              pos++;
            }
          }
          skip();
        } else {
          let trailingSpace = 0;
          for (;;) {
            if (pos >= s.length) throw malformedArray(text, 'Unexpected end of input.');
            const ch = s.charAt(pos);
            if (ch === ',' || ch === '}') break;
            if (ch === '"' || ch === '{') throw malformedArray(text, `Unexpected "${ch}" character.`);
            if (ch === '\\') {
              if (pos + 1 >= s.length) throw malformedArray(text, 'Unexpected end of input.');
              item += s.charAt(pos + 1);
              pos += 2;
              trailingSpace = 0;
              continue;
            }
            item += ch;
            trailingSpace = isSpace(ch.charCodeAt(0)) ? trailingSpace + 1 : 0;
            pos++;
          }
          if (trailingSpace > 0) item = item.slice(0, item.length - trailingSpace);
          if (item.length === 0) throw malformedArray(text, 'Unexpected "," character.');
        }
        if (!quoted && item.length === 4 && item.toUpperCase() === 'NULL') out.push(null);
        else out.push(parseValue(item, t.element, ctx));
      }
      skip();
      const ch = s.charAt(pos);
      pos++;
      if (ch === '}') return out;
      if (ch !== ',') throw malformedArray(text, pos > s.length ? 'Unexpected end of input.' : `Unexpected "${ch}" character.`);
    }
  };
  const result = level(type);
  skip();
  if (pos !== s.length) throw malformedArray(text, 'Junk after closing right brace.');
  return result;
}

function malformedRecord(text: string, detail: string): SqlError {
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `malformed record literal: "${text}"`, { detail });
}

/** Postgres record_in: `(a,"b c",)`; an empty unquoted field is NULL. */
function parseRecord(text: string, type: SqlType & { kind: 'ROW' }, ctx: ParseContext): Value[] {
  const s = text.trim();
  if (s.charAt(0) !== '(') throw malformedRecord(text, 'Missing left parenthesis.');
  let pos = 1;
  const out: Value[] = [];
  for (let f = 0; f < type.fields.length; f++) {
    if (f > 0) {
      if (s.charAt(pos) !== ',') throw malformedRecord(text, 'Too few columns.');
      pos++;
    }
    let item = '';
    let isNull = true;
    while (pos < s.length) {
      const ch = s.charAt(pos);
      if (ch === ',' || ch === ')') break;
      isNull = false;
      if (ch === '"') {
        pos++;
        for (;;) {
          if (pos >= s.length) throw malformedRecord(text, 'Unexpected end of input.');
          const c = s.charAt(pos);
          if (c === '\\') {
            item += s.charAt(pos + 1);
            pos += 2;
          } else if (c === '"') {
            if (s.charAt(pos + 1) === '"') {
              item += '"';
              pos += 2;
            } else {
              pos++;
              break;
            }
          } else {
            item += c;
            pos++;
          }
        }
      } else if (ch === '\\') {
        item += s.charAt(pos + 1);
        pos += 2;
      } else {
        item += ch;
        pos++;
      }
    }
    out.push(isNull ? null : parseValue(item, type.fields[f]!.type, ctx));
  }
  if (s.charAt(pos) !== ')') throw malformedRecord(text, 'Too many columns.');
  if (pos !== s.length - 1) throw malformedRecord(text, 'Junk after right parenthesis.');
  return out;
}

function parseMap(text: string, type: SqlType & { kind: 'MAP' }, ctx: ParseContext): Map<Value, Value> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    throw invalidSyntax('map', text);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw invalidSyntax('map', text);
  const out = new Map<Value, Value>();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = parseValue(k, type.key, ctx);
    let value: Value;
    if (v === null) value = null;
    else if (type.value.kind === 'JSON') value = JSON.stringify(v);
    else if (typeof v === 'string') value = parseValue(v, type.value, ctx);
    else if (typeof v === 'number' || typeof v === 'boolean') value = parseValue(String(v), type.value, ctx);
    else value = parseValue(JSON.stringify(v), type.value, ctx);
    out.set(key, value);
  }
  return out;
}
