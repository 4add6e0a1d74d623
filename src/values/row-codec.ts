/**
 * Compact, lossless binary encoding of a Row for storage, given its column types.
 * Not order-preserving (see key-codec.ts for keys).
 *
 * Layout: a null bitmap of ceil(n/8) bytes (bit i set = column i is NULL), then
 * each non-null column: BOOLEAN/TINYINT 1 byte; SMALLINT 2; INT, DATE,
 * INTERVAL_YEAR_MONTH int32; OID types uint32; FLOAT, DOUBLE and the µs types
 * (TIME, TIMESTAMP, TIMESTAMP_LTZ, INTERVAL_DAY_TIME) float64 (exact for safe
 * integers); BIGINT int64; DECIMAL a byte count then two's-complement big-endian
 * bytes; unconstrained NUMERIC varint scale then the unscaled value as DECIMAL (or,
 * when it needs 255 bytes or more, 0xff and its decimal digits as a string); strings varint length + UTF-8; BYTES varint length + bytes; UUID 16 bytes;
 * ARRAY varint count then per element a null byte (0/1) and the value; ROW a
 * nested bitmap + fields; MAP varint count then key and value as array elements.
 *
 * The encoder reuses one module-level buffer; only the returned copy is allocated.
 */

import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { InternalError, unreachable } from '../errors.ts';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { Numeric } from './numeric.ts';

const writer = new ByteWriter(256);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function encodeRow(row: Row, types: readonly SqlType[]): Uint8Array {
  writer.reset();
  writeFields(writer, row, types.length, (i) => types[i]!);
  return writer.finish();
}

export function decodeRow(bytes: Uint8Array, types: readonly SqlType[]): Row {
  const r = new ByteReader(bytes);
  const row = readFields(r, types.length, (i) => types[i]!);
  if (!r.done) throw new InternalError('trailing bytes after encoded row');
  return row;
}

function writeFields(w: ByteWriter, values: readonly Value[], n: number, typeAt: (i: number) => SqlType): void {
  const bitmapAt = w.len;
  const bitmapLen = (n + 7) >> 3;
  w.ensure(bitmapLen);
  w.buf.fill(0, bitmapAt, bitmapAt + bitmapLen);
  w.len += bitmapLen;
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? null;
    if (v === null) {
      w.buf[bitmapAt + (i >> 3)]! |= 1 << (i & 7);
      continue;
    }
    writeValue(w, v, typeAt(i));
  }
}

function readFields(r: ByteReader, n: number, typeAt: (i: number) => SqlType): Value[] {
  const bitmapAt = r.pos;
  r.need((n + 7) >> 3);
  r.pos += (n + 7) >> 3;
  const out: Value[] = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    out[i] = (r.buf[bitmapAt + (i >> 3)]! & (1 << (i & 7))) !== 0 ? null : readValue(r, typeAt(i));
  }
  return out;
}

function writeBigDecimal(w: ByteWriter, v: bigint): void {
  if (v >= INT64_MIN && v <= INT64_MAX) {
    w.u8(8);
    w.i64(v);
    return;
  }
  // Two's complement with at least one spare sign byte, padded to whole bytes.
  const width = v.toString(16).length + 2 + (v.toString(16).length & 1);
  const hex = BigInt.asUintN(width * 4, v).toString(16).padStart(width, '0');
  w.u8(hex.length >> 1);
  for (let i = 0; i < hex.length; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
}

function readBigDecimal(r: ByteReader): bigint {
  const n = r.u8();
  if (n === 8) return r.i64();
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(r.u8());
  return BigInt.asIntN(n * 8, v);
}

function writeNumeric(w: ByteWriter, v: Numeric): void {
  w.varint(v.scale);
  const u = v.unscaled;
  if (u.toString(16).length >= 500) {
    w.u8(0xff);
    return w.lengthPrefixedUtf8(u.toString());
  }
  writeBigDecimal(w, u);
}

function readNumeric(r: ByteReader): Numeric {
  const scale = r.varint();
  const n = r.u8();
  if (n === 0xff) return new Numeric(BigInt(r.utf8(r.varint())), scale);
  r.pos--;
  return new Numeric(readBigDecimal(r), scale);
}

function writeValue(w: ByteWriter, v: Value, type: SqlType): void {
  switch (type.kind) {
    case 'BOOLEAN':
      return w.u8(v ? 1 : 0);
    case 'TINYINT':
      w.ensure(1);
      w.view.setInt8(w.len++, v as number);
      return;
    case 'SMALLINT':
      return w.i16(v as number);
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return w.i32(v as number);
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return w.u32(v as number);
    case 'FLOAT':
    case 'DOUBLE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
      return w.f64(v as number);
    case 'BIGINT':
      return w.i64(v as bigint);
    case 'DECIMAL':
      return writeBigDecimal(w, v as bigint);
    case 'NUMERIC':
      return writeNumeric(w, v as Numeric);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return w.lengthPrefixedUtf8(v as string);
    case 'BYTES': {
      const b = v as Uint8Array;
      w.varint(b.length);
      return w.bytes(b);
    }
    case 'UUID': {
      const s = v as string;
      w.ensure(16);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === 45) continue;
        const hi = hexDigit(c);
        const lo = hexDigit(s.charCodeAt(++i));
        w.buf[w.len++] = (hi << 4) | lo;
      }
      return;
    }
    case 'ARRAY': {
      const a = v as readonly Value[];
      w.varint(a.length);
      for (const e of a) writeNullable(w, e, type.element);
      return;
    }
    case 'ROW':
      return writeFields(w, v as readonly Value[], type.fields.length, (i) => type.fields[i]!.type);
    case 'MAP': {
      const m = v as ReadonlyMap<Value, Value>;
      w.varint(m.size);
      for (const [k, x] of m) {
        writeNullable(w, k, type.key);
        writeNullable(w, x, type.value);
      }
      return;
    }
    case 'NULL':
      throw new InternalError('non-null value of type NULL');
    default:
      return unreachable(type);
  }
}

function writeNullable(w: ByteWriter, v: Value, type: SqlType): void {
  if (v === null) return w.u8(1);
  w.u8(0);
  writeValue(w, v, type);
}

function readNullable(r: ByteReader, type: SqlType): Value {
  return r.u8() === 1 ? null : readValue(r, type);
}

function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : (c | 0x20) - 87;
}

const HEX = '0123456789abcdef';

function readValue(r: ByteReader, type: SqlType): Value {
  switch (type.kind) {
    case 'BOOLEAN':
      return r.u8() !== 0;
    case 'TINYINT': {
      r.need(1);
      return r.view.getInt8(r.pos++);
    }
    case 'SMALLINT':
      return r.i16();
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return r.i32();
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return r.u32();
    case 'FLOAT':
    case 'DOUBLE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
      return r.f64();
    case 'BIGINT':
      return r.i64();
    case 'DECIMAL':
      return readBigDecimal(r);
    case 'NUMERIC':
      return readNumeric(r);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return r.utf8(r.varint());
    case 'BYTES':
      return r.bytes(r.varint());
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
      const n = r.varint();
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = readNullable(r, type.element);
      return out;
    }
    case 'ROW':
      return readFields(r, type.fields.length, (i) => type.fields[i]!.type);
    case 'MAP': {
      const n = r.varint();
      const out = new Map<Value, Value>();
      for (let i = 0; i < n; i++) {
        const k = readNullable(r, type.key);
        out.set(k, readNullable(r, type.value));
      }
      return out;
    }
    case 'NULL':
      throw new InternalError('non-null value of type NULL');
    default:
      return unreachable(type);
  }
}
