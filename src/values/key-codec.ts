/**
 * Order-preserving key encoding: for tuples of the same types, comparing two
 * encodings bytewise (memcmp, as LevelDB does) gives the SQL order of the tuples
 * (compare.ts), with NULL first at the top level. Equal tuples encode equally.
 *
 * Per column: tag 0x00 = NULL, 0x01 = value, then the value:
 * - BOOLEAN 1 byte; TINYINT/SMALLINT/INT/DATE/INTERVAL_YEAR_MONTH big-endian with
 *   the sign bit flipped (1/2/4/4/4 bytes); OID types uint32 big-endian.
 * - BIGINT and the µs types (TIME, TIMESTAMP, TIMESTAMP_LTZ, INTERVAL_DAY_TIME)
 *   8-byte big-endian with the sign bit flipped.
 * - FLOAT/DOUBLE: the float64 bits, all bits flipped for negatives, the sign bit
 *   flipped otherwise; -0 is written as 0 and every NaN as the canonical NaN (largest).
 * - DECIMAL: 0x80 + 8 bytes (sign-flipped int64) when the unscaled value fits
 *   int64; larger positives 0x81, byte count, magnitude; larger negatives 0x7f,
 *   255 - byte count, complemented magnitude.
 * - NUMERIC (unconstrained): the value without trailing zeros as 0.d1d2...dn * 10^e
 *   (d1 non-zero): zero is 0x80; positives 0x81, e as sign-flipped int32, each digit
 *   as 0x31 + d, then 0x00; negatives 0x7f and the same bytes complemented
 *   (terminator 0xff). 1.5 and 1.50 encode alike; decoding gives the normalized value.
 * - Strings (UTF-8) and BYTES: each 0x00 byte written as 0x00 0xff, then 0x00 0x01.
 * - UUID: its 16 bytes.
 * - ARRAY: per element 0x01 + value or 0x02 for NULL (NULL elements sort last, as
 *   in Postgres), then 0x00. ROW: per field 0x01 + value or 0x02. MAP: entries
 *   sorted by key, each 0x01 + key + value (nested tags), then 0x00.
 */

import type { SqlType, Value } from '../../catalog/types.ts';
import { InternalError, unreachable } from '../errors.ts';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { sortedEntries } from './compare.ts';
import { Numeric, normalizeNumeric } from './numeric.ts';

const writer = new ByteWriter(128);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const encoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeKey(values: readonly Value[], types: readonly SqlType[]): Uint8Array {
  writer.reset();
  for (let i = 0; i < types.length; i++) {
    const v = values[i] ?? null;
    if (v === null) {
      writer.u8(0);
    } else {
      writer.u8(1);
      writeValue(writer, v, types[i]!);
    }
  }
  return writer.finish();
}

export function decodeKey(bytes: Uint8Array, types: readonly SqlType[]): Value[] {
  const r = new ByteReader(bytes);
  const out: Value[] = new Array<Value>(types.length);
  for (let i = 0; i < types.length; i++) out[i] = r.u8() === 0 ? null : readValue(r, types[i]!);
  if (!r.done) throw new InternalError('trailing bytes after encoded key');
  return out;
}

/** Bytewise comparison of two encoded keys (the order LevelDB uses). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

function writeI64Number(w: ByteWriter, v: number): void {
  w.ensure(8);
  const hi = Math.floor(v / 4294967296);
  w.view.setUint32(w.len, (hi ^ 0x80000000) >>> 0);
  w.view.setUint32(w.len + 4, v - hi * 4294967296);
  w.len += 8;
}

function readI64Number(r: ByteReader): number {
  r.need(8);
  const hi = (r.view.getUint32(r.pos) ^ 0x80000000) | 0;
  const v = hi * 4294967296 + r.view.getUint32(r.pos + 4);
  r.pos += 8;
  return v;
}

function writeEscaped(w: ByteWriter, bytes: Uint8Array, from: number, to: number): void {
  w.ensure((to - from) * 2 + 2);
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    w.buf[w.len++] = b;
    if (b === 0) w.buf[w.len++] = 0xff;
  }
  w.buf[w.len++] = 0;
  w.buf[w.len++] = 1;
}

const scratch = new ByteWriter(64);

function readEscaped(r: ByteReader): Uint8Array {
  scratch.reset();
  for (;;) {
    const b = r.u8();
    if (b !== 0) {
      scratch.u8(b);
      continue;
    }
    const next = r.u8();
    if (next === 1) return scratch.finish();
    if (next !== 0xff) throw new InternalError('bad escape in encoded key');
    scratch.u8(0);
  }
}

function writeString(w: ByteWriter, s: string): void {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    w.ensure(s.length + 2);
    for (let i = 0; i < s.length; i++) w.buf[w.len++] = s.charCodeAt(i);
    w.buf[w.len++] = 0;
    w.buf[w.len++] = 1;
    return;
  }
  const bytes = encoder.encode(s);
  writeEscaped(w, bytes, 0, bytes.length);
}

function writeDecimal(w: ByteWriter, v: bigint): void {
  if (v >= INT64_MIN && v <= INT64_MAX) {
    w.u8(0x80);
    w.i64(v);
    w.buf[w.len - 8]! ^= 0x80;
    return;
  }
  const negative = v < 0n;
  let hex = (negative ? -v : v).toString(16);
  if (hex.length & 1) hex = '0' + hex;
  const n = hex.length >> 1;
  w.u8(negative ? 0x7f : 0x81);
  w.u8(negative ? 255 - n : n);
  for (let i = 0; i < hex.length; i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    w.u8(negative ? 255 - b : b);
  }
}

function readFlippedInt64(r: ByteReader): bigint {
  r.need(8);
  const hi = BigInt((r.view.getUint32(r.pos) ^ 0x80000000) | 0);
  const lo = BigInt(r.view.getUint32(r.pos + 4));
  r.pos += 8;
  return (hi << 32n) | lo;
}

function readDecimal(r: ByteReader): bigint {
  const marker = r.u8();
  if (marker === 0x80) return readFlippedInt64(r);
  const negative = marker === 0x7f;
  const lenByte = r.u8();
  const n = negative ? 255 - lenByte : lenByte;
  let mag = 0n;
  for (let i = 0; i < n; i++) {
    const b = r.u8();
    mag = (mag << 8n) | BigInt(negative ? 255 - b : b);
  }
  return negative ? -mag : mag;
}

function writeNumeric(w: ByteWriter, v: Numeric): void {
  const n = normalizeNumeric(v);
  if (n.unscaled === 0n) return w.u8(0x80);
  const negative = n.unscaled < 0n;
  const digits = (negative ? -n.unscaled : n.unscaled).toString();
  const e = digits.length - n.scale;
  const flip = negative ? 0xff : 0;
  w.u8(negative ? 0x7f : 0x81);
  w.ensure(5 + digits.length);
  const ebits = (e ^ 0x80000000) >>> 0;
  w.buf[w.len++] = ((ebits >>> 24) & 0xff) ^ flip;
  w.buf[w.len++] = ((ebits >>> 16) & 0xff) ^ flip;
  w.buf[w.len++] = ((ebits >>> 8) & 0xff) ^ flip;
  w.buf[w.len++] = (ebits & 0xff) ^ flip;
  for (let i = 0; i < digits.length; i++) w.buf[w.len++] = (digits.charCodeAt(i) - 48 + 0x31) ^ flip;
  w.buf[w.len++] = flip;
}

function readNumeric(r: ByteReader): Numeric {
  const marker = r.u8();
  if (marker === 0x80) return new Numeric(0n, 0);
  const flip = marker === 0x7f ? 0xff : 0;
  const e = (((r.u8() ^ flip) << 24) | ((r.u8() ^ flip) << 16) | ((r.u8() ^ flip) << 8) | (r.u8() ^ flip)) ^ 0x80000000;
  let digits = '';
  for (;;) {
    const b = r.u8() ^ flip;
    if (b === 0) break;
    digits += String.fromCharCode(b - 0x31 + 48);
  }
  const scale = digits.length - e;
  let u = BigInt(digits);
  if (scale < 0) u *= 10n ** BigInt(-scale);
  return new Numeric(flip === 0 ? u : -u, scale < 0 ? 0 : scale);
}

function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}

const HEX = '0123456789abcdef';

function writeValue(w: ByteWriter, v: Value, type: SqlType): void {
  switch (type.kind) {
    case 'BOOLEAN':
      return w.u8(v ? 1 : 0);
    case 'TINYINT':
      return w.u8(((v as number) + 128) & 0xff);
    case 'SMALLINT':
      return w.u16(((v as number) + 32768) & 0xffff);
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return w.u32(((v as number) ^ 0x80000000) >>> 0);
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return w.u32(v as number);
    case 'BIGINT':
      w.i64(v as bigint);
      w.buf[w.len - 8]! ^= 0x80;
      return;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
      return writeI64Number(w, v as number);
    case 'FLOAT':
    case 'DOUBLE': {
      const x = v as number;
      f64[0] = x === 0 ? 0 : Number.isNaN(x) ? NaN : x;
      let hi = u32[HI]!;
      let lo = u32[LO]!;
      if (hi & 0x80000000) {
        hi = ~hi >>> 0;
        lo = ~lo >>> 0;
      } else {
        hi = (hi | 0x80000000) >>> 0;
      }
      w.u32(hi);
      return w.u32(lo);
    }
    case 'DECIMAL':
      return writeDecimal(w, v as bigint);
    case 'NUMERIC':
      return writeNumeric(w, v as Numeric);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return writeString(w, v as string);
    case 'BYTES': {
      const b = v as Uint8Array;
      return writeEscaped(w, b, 0, b.length);
    }
    case 'UUID': {
      const s = v as string;
      w.ensure(16);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 45) continue;
        w.buf[w.len++] = (hexDigit(c) << 4) | hexDigit(s.charCodeAt(++i));
      }
      return;
    }
    case 'ARRAY': {
      for (const e of v as readonly Value[]) writeNested(w, e, type.element);
      return w.u8(0);
    }
    case 'ROW': {
      const a = v as readonly Value[];
      for (let i = 0; i < type.fields.length; i++) writeNested(w, a[i] ?? null, type.fields[i]!.type);
      return;
    }
    case 'MAP': {
      for (const [k, x] of sortedEntries(v as ReadonlyMap<Value, Value>, type.key)) {
        w.u8(1);
        writeNested(w, k, type.key);
        writeNested(w, x, type.value);
      }
      return w.u8(0);
    }
    case 'NULL':
      throw new InternalError('non-null value of type NULL');
    default:
      return unreachable(type);
  }
}

function writeNested(w: ByteWriter, v: Value, type: SqlType): void {
  if (v === null) return w.u8(2);
  w.u8(1);
  writeValue(w, v, type);
}

function readNested(r: ByteReader, type: SqlType): Value {
  return r.u8() === 2 ? null : readValue(r, type);
}

function readValue(r: ByteReader, type: SqlType): Value {
  switch (type.kind) {
    case 'BOOLEAN':
      return r.u8() !== 0;
    case 'TINYINT':
      return r.u8() - 128;
    case 'SMALLINT':
      return r.u16() - 32768;
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return (r.u32() ^ 0x80000000) | 0;
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return r.u32();
    case 'BIGINT': {
      return readFlippedInt64(r);
    }
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
      return readI64Number(r);
    case 'FLOAT':
    case 'DOUBLE': {
      let hi = r.u32();
      let lo = r.u32();
      if (hi & 0x80000000) {
        hi = (hi & 0x7fffffff) >>> 0;
      } else {
        hi = ~hi >>> 0;
        lo = ~lo >>> 0;
      }
      u32[HI] = hi;
      u32[LO] = lo;
      return f64[0]!;
    }
    case 'DECIMAL':
      return readDecimal(r);
    case 'NUMERIC':
      return readNumeric(r);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return textDecoder.decode(readEscaped(r));
    case 'BYTES':
      return readEscaped(r);
    case 'UUID': {
      r.need(16);
      let s = '';
      for (let i = 0; i < 16; i++) {
        const b = r.buf[r.pos++]!;
        s += HEX[b >> 4]! + HEX[b & 15]!;
        if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
      }
      return s;
    }
    case 'ARRAY': {
      const out: Value[] = [];
      for (;;) {
        const tag = r.u8();
        if (tag === 0) return out;
        out.push(tag === 2 ? null : readValue(r, type.element));
      }
    }
    case 'ROW': {
      const out: Value[] = [];
      for (let i = 0; i < type.fields.length; i++) out.push(readNested(r, type.fields[i]!.type));
      return out;
    }
    case 'MAP': {
      const out = new Map<Value, Value>();
      while (r.u8() !== 0) {
        const k = readNested(r, type.key);
        out.set(k, readNested(r, type.value));
      }
      return out;
    }
    case 'NULL':
      throw new InternalError('non-null value of type NULL');
    default:
      return unreachable(type);
  }
}

/**
 * The bytes a number of `type` takes at the start of a key-codec key (tag
 * and value): fixed for the types whose values are numbers. Operators keyed
 * by (time, partition values) find the partition key after them.
 */
export function numberKeyWidth(type: SqlType): number {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return encodeKey([0], [type]).length;
    default:
      throw new InternalError(`no fixed key width for type ${type.kind}`);
  }
}
