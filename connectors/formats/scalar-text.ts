/**
 * The text form of one value inside a csv field or a json string, as Flink's
 * csv and json formats write it:
 * - BOOLEAN `true` / `false` (reading also takes Postgres' forms: t, f, yes, no, 1, 0);
 * - numbers as digits; DECIMAL exact, never through a float;
 * - DATE `2024-05-01`, TIME `10:00:00.5`;
 * - TIMESTAMP `2024-05-01 10:00:00.123` ('SQL') or `2024-05-01T10:00:00.123`
 *   ('ISO-8601'); reading accepts both. Fraction digits are written as far as
 *   they are not zero;
 * - TIMESTAMP_LTZ the same in UTC followed by `Z`; reading also takes an offset
 *   (`+02:00`); without one the text is UTC;
 * - BYTES base64;
 * - everything else (intervals, UUID, JSON, ROW, MAP, ARRAY when no format
 *   rule applies) in its Postgres text form (src/values/text-format.ts).
 *
 * Decoders throw FormatError saying what is wrong; they never return undefined.
 */
import type { SqlType, Value } from '../../catalog/types.ts';
import { SqlError } from '../../src/errors.ts';
import { parseTimestamp, parseTimestampTz } from '../../src/values/datetime-parse.ts';
import { formatFloat4, formatFloat8, formatTimestamp, formatValue, type FormatContext } from '../../src/values/text-format.ts';
import { parseValue, type ParseContext } from '../../src/values/text-parse.ts';
import { FormatError } from './row-format.ts';

export type TimestampStandard = 'SQL' | 'ISO-8601';

export type TextDecode = (text: string) => Value;
export type TextEncode = (value: Value) => string;

const UTC_PARSE: ParseContext = { timeZone: 'UTC' };
const UTC_FORMAT: FormatContext = { timeZone: 'UTC' };

/** Wraps a parse error of the value layer (a SqlError) as a FormatError with the same message. */
export function asFormatError(err: unknown): unknown {
  return err instanceof SqlError ? new FormatError(err.message) : err;
}

export function textDecoder(type: SqlType): TextDecode {
  switch (type.kind) {
    case 'TIMESTAMP':
      return (text) => {
        try {
          return parseTimestamp(text, type.precision, 'UTC');
        } catch (err) {
          throw asFormatError(err);
        }
      };
    case 'TIMESTAMP_LTZ':
      return (text) => {
        try {
          return parseTimestampTz(text, type.precision, 'UTC');
        } catch (err) {
          throw asFormatError(err);
        }
      };
    case 'BYTES':
      return decodeBase64;
    default:
      return (text) => {
        try {
          return parseValue(text, type, UTC_PARSE);
        } catch (err) {
          throw asFormatError(err);
        }
      };
  }
}

export function textEncoder(type: SqlType, standard: TimestampStandard): TextEncode {
  switch (type.kind) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'FLOAT':
      return (v) => formatFloat4(v as number);
    case 'DOUBLE':
      return (v) => formatFloat8(v as number);
    case 'TIMESTAMP':
      return standard === 'SQL' ? (v) => formatTimestamp(v as number) : (v) => isoTimestamp(v as number);
    case 'TIMESTAMP_LTZ':
      return standard === 'SQL' ? (v) => `${formatTimestamp(v as number)}Z` : (v) => `${isoTimestamp(v as number)}Z`;
    case 'BYTES':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    default:
      return (v) => formatValue(v, type, UTC_FORMAT);
  }
}

function isoTimestamp(micros: number): string {
  const s = formatTimestamp(micros);
  const space = s.indexOf(' ');
  return space < 0 ? s : `${s.slice(0, space)}T${s.slice(space + 1)}`;
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string): Uint8Array {
  const s = text.trim();
  if (s.length % 4 === 1 || !BASE64_RE.test(s)) throw new FormatError(`invalid base64 for type BYTES: "${text}"`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}
