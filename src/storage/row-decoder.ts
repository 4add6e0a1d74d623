/**
 * Decoders of stored rows, specialised once per scan to the columns it reads.
 *
 * Contract:
 * - `rowDecoder(types, columns)(bytes)` equals
 *   `columns.map((c) => decodeRow(bytes, types)[c])` for every encoding
 *   row-codec.ts produces (same values, same types), but allocates only the
 *   output row and decodes only the requested columns.
 * - Rows whose columns up to the last requested one are all of flat types
 *   (fixed width, or a varint length then bytes) take the fast path: skipped
 *   columns cost a length read, numbers are read without a DataView per row,
 *   short ASCII strings are built without the TextDecoder. Any other layout
 *   (DECIMAL, ARRAY, ROW, MAP, ...) before the last requested column falls
 *   back to `decodeRow` and picks the columns.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { decodeRow } from '../values/row-codec.ts';
import { InternalError } from '../errors.ts';

export type RowDecoder = (bytes: Uint8Array) => Row;

/** How a column's bytes are laid out, for the fast path. */
const Step = {
  U8_BOOL: 0,
  I8: 1,
  I16: 2,
  I32: 3,
  U32: 4,
  F64: 5,
  I64: 6,
  UTF8: 7,
  BYTES: 8,
  UUID: 9,
} as const;
type Step = (typeof Step)[keyof typeof Step];

function stepOf(type: SqlType): Step | undefined {
  switch (type.kind) {
    case 'BOOLEAN':
      return Step.U8_BOOL;
    case 'TINYINT':
      return Step.I8;
    case 'SMALLINT':
      return Step.I16;
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return Step.I32;
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return Step.U32;
    case 'FLOAT':
    case 'DOUBLE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
      return Step.F64;
    case 'BIGINT':
      return Step.I64;
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return Step.UTF8;
    case 'BYTES':
      return Step.BYTES;
    case 'UUID':
      return Step.UUID;
    default:
      return undefined;
  }
}

const FIXED_WIDTH: readonly number[] = [1, 1, 2, 4, 4, 8, 8, -1, -1, 16];

const textDecoder = new TextDecoder();
const f64Scratch = new Float64Array(1);
const f64Bytes = new Uint8Array(f64Scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEX = '0123456789abcdef';
/** Strings up to this many bytes are built by hand when they are ASCII. */
const SHORT_STRING = 32;

export function rowDecoder(types: readonly SqlType[], columns: readonly number[]): RowDecoder {
  const n = types.length;
  let last = -1;
  for (const c of columns) {
    if (c < 0 || c >= n) throw new InternalError(`column ${c} of a ${n}-column row`);
    if (c > last) last = c;
  }
  const steps: Step[] = [];
  for (let i = 0; i <= last; i++) {
    const s = stepOf(types[i]!);
    if (s === undefined) return slowDecoder(types, columns);
    steps.push(s);
  }
  // For each physical column up to `last`: the output slot, or -1 when not read.
  const slot = new Int32Array(last + 1).fill(-1);
  const copies: [from: number, to: number][] = [];
  columns.forEach((c, out) => {
    if (slot[c] === -1) slot[c] = out;
    else copies.push([slot[c]!, out]);
  });
  const width = columns.length;
  const bitmapLen = (n + 7) >> 3;
  const count = last + 1;
  return (buf) => {
    const out: Row = new Array<Value>(width);
    let pos = bitmapLen;
    for (let i = 0; i < count; i++) {
      const to = slot[i]!;
      if ((buf[i >> 3]! & (1 << (i & 7))) !== 0) {
        if (to >= 0) out[to] = null;
        continue;
      }
      const step = steps[i]!;
      if (to < 0) {
        const w = FIXED_WIDTH[step]!;
        if (w > 0) pos += w;
        else {
          const len = readVarint(buf, pos);
          pos = varintEnd + len;
        }
        continue;
      }
      switch (step) {
        case Step.U8_BOOL:
          out[to] = buf[pos++] !== 0;
          break;
        case Step.I8:
          out[to] = (buf[pos++]! << 24) >> 24;
          break;
        case Step.I16:
          out[to] = ((buf[pos]! << 24) | (buf[pos + 1]! << 16)) >> 16;
          pos += 2;
          break;
        case Step.I32:
          out[to] = readI32(buf, pos);
          pos += 4;
          break;
        case Step.U32:
          out[to] = readI32(buf, pos) >>> 0;
          pos += 4;
          break;
        case Step.F64:
          out[to] = readF64(buf, pos);
          pos += 8;
          break;
        case Step.I64:
          out[to] = readI64(buf, pos);
          pos += 8;
          break;
        case Step.UTF8: {
          const len = readVarint(buf, pos);
          pos = varintEnd;
          out[to] = readUtf8(buf, pos, len);
          pos += len;
          break;
        }
        case Step.BYTES: {
          const len = readVarint(buf, pos);
          pos = varintEnd;
          if (pos + len > buf.length) throw truncated();
          out[to] = buf.slice(pos, pos + len);
          pos += len;
          break;
        }
        case Step.UUID:
          out[to] = readUuid(buf, pos);
          pos += 16;
          break;
      }
      if (pos > buf.length) throw truncated();
    }
    if (count === n && pos !== buf.length) throw new InternalError('trailing bytes after encoded row');
    for (const [from, to] of copies) out[to] = out[from]!;
    return out;
  };
}

function slowDecoder(types: readonly SqlType[], columns: readonly number[]): RowDecoder {
  const width = columns.length;
  return (buf) => {
    const row = decodeRow(buf, types);
    const out: Row = new Array<Value>(width);
    for (let i = 0; i < width; i++) out[i] = row[columns[i]!] ?? null;
    return out;
  };
}

function truncated(): InternalError {
  return new InternalError('encoded value is truncated');
}

/** Where the last `readVarint` stopped (module state: the decoders are synchronous). */
let varintEnd = 0;

function readVarint(buf: Uint8Array, pos: number): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw truncated();
    const b = buf[pos++]!;
    v += (b & 0x7f) * scale;
    if (b < 0x80) {
      varintEnd = pos;
      return v;
    }
    scale *= 128;
  }
}

function readI32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

function readF64(buf: Uint8Array, pos: number): number {
  if (pos + 8 > buf.length) throw truncated();
  if (LITTLE_ENDIAN) {
    for (let k = 0; k < 8; k++) f64Bytes[k] = buf[pos + 7 - k]!;
  } else {
    for (let k = 0; k < 8; k++) f64Bytes[k] = buf[pos + k]!;
  }
  return f64Scratch[0]!;
}

function readI64(buf: Uint8Array, pos: number): bigint {
  if (pos + 8 > buf.length) throw truncated();
  const hi = readI32(buf, pos);
  const lo = readI32(buf, pos + 4) >>> 0;
  // |hi| < 2^21 keeps hi * 2^32 + lo within the exact range of a double.
  if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function readUtf8(buf: Uint8Array, pos: number, len: number): string {
  if (pos + len > buf.length) throw truncated();
  if (len <= SHORT_STRING) {
    let s = '';
    let k = 0;
    for (; k < len; k++) {
      const b = buf[pos + k]!;
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (k === len) return s;
  }
  return textDecoder.decode(buf.subarray(pos, pos + len));
}

function readUuid(buf: Uint8Array, pos: number): string {
  if (pos + 16 > buf.length) throw truncated();
  let s = '';
  for (let i = 0; i < 16; i++) {
    const b = buf[pos + i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
