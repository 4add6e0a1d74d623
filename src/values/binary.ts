/**
 * Postgres binary format (the `*_send` / `*_recv` layouts) for every SqlType.
 *
 * Layouts: bool 1 byte; int2/int4/int8, float4/float8 big-endian (TINYINT goes
 * as int2); numeric = int16 ndigits, int16 weight, int16 sign, int16 dscale,
 * then base-10000 digits; text types raw UTF-8; bytea raw; date int32 days since
 * 2000-01-01; time int64 µs; timestamp(tz) int64 µs since 2000-01-01; interval
 * int64 µs, int32 days, int32 months (a day-time value sends whole days in the
 * day field, matching the text form); uuid 16 bytes; oid uint32; arrays int32
 * ndim, int32 hasnull, int32 elemoid, (int32 len, int32 lbound=1) per dimension,
 * then elements as (int32 len | -1, bytes); records int32 nfields then (int32
 * oid, int32 len | -1, bytes) per field; MAP goes as its JSON text.
 *
 * Decoding validates lengths and throws 22P03 `incorrect binary data format in
 * bind parameter` for malformed input.
 */

import { pgTypeOid, type SqlType, type Value } from '../../catalog/types.ts';
import { InternalError, notSupported, SqlError, SqlState, unreachable } from '../errors.ts';
import { MICROS_PER_DAY, PG_EPOCH_DAYS, PG_EPOCH_MICROS } from './datetime.ts';
import { checkPrecision, pow10, rescale } from './decimal.ts';
import { ByteWriter } from './byte-writer.ts';
import { Numeric } from './numeric.ts';
import { formatValue } from './text-format.ts';
import { parseValue } from './text-parse.ts';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const UTC = { timeZone: 'UTC' };

function badFormat(): SqlError {
  return new SqlError(SqlState.INVALID_BINARY_REPRESENTATION, 'incorrect binary data format in bind parameter');
}

// ------------------------------------------------------------ encoding

/** The Postgres binary form of a non-null value of `type`. */
export function encodeBinary(value: Value, type: SqlType): Uint8Array {
  const w = new ByteWriter();
  write(w, value, type);
  return w.finish();
}

function write(w: ByteWriter, value: Value, type: SqlType): void {
  switch (type.kind) {
    case 'BOOLEAN':
      return w.u8(value ? 1 : 0);
    case 'TINYINT':
    case 'SMALLINT':
      return w.i16(value as number);
    case 'INT':
      return w.i32(value as number);
    case 'BIGINT':
      return w.i64(value as bigint);
    case 'FLOAT':
      return w.f32(value as number);
    case 'DOUBLE':
      return w.f64(value as number);
    case 'DECIMAL':
      return writeNumeric(w, value as bigint, type.scale);
    case 'NUMERIC':
      return writeNumeric(w, (value as Numeric).unscaled, (value as Numeric).scale);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return w.utf8(value as string);
    case 'MAP':
      return w.utf8(formatValue(value, type, UTC));
    case 'BYTES':
      return w.bytes(value as Uint8Array);
    case 'UUID': {
      const hex = (value as string).replace(/-/g, '');
      for (let i = 0; i < 32; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
      return;
    }
    case 'DATE':
      return w.i32((value as number) - PG_EPOCH_DAYS);
    case 'TIME':
      return w.i64n(value as number);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return w.i64n((value as number) - PG_EPOCH_MICROS);
    case 'INTERVAL_DAY_TIME': {
      const v = value as number;
      const days = Math.trunc(v / MICROS_PER_DAY) || 0;
      w.i64n(v - days * MICROS_PER_DAY);
      w.i32(days);
      return w.i32(0);
    }
    case 'INTERVAL_YEAR_MONTH':
      w.i64n(0);
      w.i32(0);
      return w.i32(value as number);
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return w.u32(value as number);
    case 'ARRAY':
      return writeArray(w, value as readonly Value[], type);
    case 'ROW':
      return writeRecord(w, value as readonly Value[], type);
    case 'NULL':
      throw new InternalError('encodeBinary called for the NULL type');
    default:
      return unreachable(type);
  }
}

function writeNumeric(w: ByteWriter, unscaled: bigint, scale: number): void {
  const negative = unscaled < 0n;
  let mag = negative ? -unscaled : unscaled;
  // Align the fraction to a multiple of 4 digits so base-10000 groups split at the point.
  const pad = (4 - (scale % 4)) % 4;
  mag *= pow10(pad);
  const groups: number[] = [];
  while (mag > 0n) {
    groups.push(Number(mag % 10000n));
    mag /= 10000n;
  }
  const fracGroups = (scale + pad) / 4;
  // Strip trailing and leading zero groups, as numeric_send does.
  let lo = 0;
  while (lo < groups.length && groups[lo] === 0) lo++;
  let hi = groups.length - 1;
  while (hi >= lo && groups[hi] === 0) {
    hi--;
  }
  if (lo > hi) {
    w.i16(0);
    w.i16(0);
    w.i16(0);
    w.i16(scale);
    return;
  }
  const weight = hi - fracGroups;
  w.i16(hi - lo + 1);
  w.i16(weight);
  w.i16(negative ? 0x4000 : 0);
  w.i16(scale);
  for (let i = hi; i >= lo; i--) w.i16(groups[i]!);
}

function elementDims(values: readonly Value[], type: SqlType & { kind: 'ARRAY' }, dims: number[]): SqlType {
  dims.push(values.length);
  if (type.element.kind === 'ARRAY' && values.length > 0) {
    const first = values[0];
    if (Array.isArray(first)) return elementDims(first, type.element, dims);
  }
  let t: SqlType = type.element;
  while (t.kind === 'ARRAY' && values.length === 0) t = t.element;
  return t;
}

function writeArray(w: ByteWriter, values: readonly Value[], type: SqlType & { kind: 'ARRAY' }): void {
  const dims: number[] = [];
  const base = elementDims(values, type, dims);
  const ndim = dims.length;
  const leaves: Value[] = [];
  const collect = (vs: readonly Value[], depth: number): void => {
    if (vs.length !== dims[depth]) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'multidimensional arrays must have array expressions with matching dimensions');
    }
    for (const v of vs) {
      if (depth + 1 < ndim) {
        if (!Array.isArray(v)) {
          throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'multidimensional arrays must have array expressions with matching dimensions');
        }
        collect(v, depth + 1);
      } else leaves.push(v);
    }
  };
  collect(values, 0);
  const empty = leaves.length === 0;
  w.i32(empty ? 0 : ndim);
  w.i32(leaves.includes(null) ? 1 : 0);
  w.i32(pgTypeOid(base));
  if (!empty) {
    for (const d of dims) {
      w.i32(d);
      w.i32(1);
    }
  }
  for (const v of leaves) writeItem(w, v, base);
}

/** int32 length (or -1 for NULL) then the value, as inside arrays and records. */
function writeItem(w: ByteWriter, v: Value, type: SqlType): void {
  if (v === null) return w.i32(-1);
  const at = w.len;
  w.i32(0);
  write(w, v, type);
  w.view.setInt32(at, w.len - at - 4);
}

function writeRecord(w: ByteWriter, values: readonly Value[], type: SqlType & { kind: 'ROW' }): void {
  w.i32(type.fields.length);
  for (let i = 0; i < type.fields.length; i++) {
    const ft = type.fields[i]!.type;
    w.u32(pgTypeOid(ft));
    writeItem(w, values[i] ?? null, ft);
  }
}

// ------------------------------------------------------------ decoding

/** Decodes the Postgres binary form of a value of `type`; 22P03 on malformed bytes. */
export function decodeBinary(bytes: Uint8Array, type: SqlType): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return read(bytes, view, 0, bytes.length, type);
}

function need(len: number, n: number): void {
  if (len !== n) throw badFormat();
}

function readI64n(view: DataView, at: number): number {
  // Beyond ±2^53 the engine's µs numbers are approximate by contract (about ±285 years from 1970).
  return view.getInt32(at) * 4294967296 + view.getUint32(at + 4);
}

function read(bytes: Uint8Array, view: DataView, at: number, len: number, type: SqlType): Value {
  switch (type.kind) {
    case 'BOOLEAN':
      need(len, 1);
      return bytes[at] !== 0;
    case 'TINYINT': {
      need(len, 2);
      const v = view.getInt16(at);
      if (v < -128 || v > 127) throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'tinyint out of range');
      return v;
    }
    case 'SMALLINT':
      need(len, 2);
      return view.getInt16(at);
    case 'INT':
      need(len, 4);
      return view.getInt32(at);
    case 'BIGINT':
      need(len, 8);
      return view.getBigInt64(at);
    case 'FLOAT':
      need(len, 4);
      return view.getFloat32(at);
    case 'DOUBLE':
      need(len, 8);
      return view.getFloat64(at);
    case 'DECIMAL':
      return readNumeric(view, at, len, type.precision, type.scale);
    case 'NUMERIC': {
      const [value, exp10, dscale] = readNumericParts(view, at, len);
      return new Numeric(rescale(value, -exp10, dscale), dscale);
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
    case 'MAP': {
      let text: string;
      try {
        text = utf8Decoder.decode(bytes.subarray(at, at + len));
      } catch {
        throw badFormat();
      }
      return type.kind === 'VARCHAR' || type.kind === 'NAME' ? text : parseValue(text, type, UTC);
    }
    case 'BYTES':
      return bytes.slice(at, at + len);
    case 'UUID': {
      need(len, 16);
      let hex = '';
      for (let i = 0; i < 16; i++) {
        hex += bytes[at + i]!.toString(16).padStart(2, '0');
        if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
      }
      return hex;
    }
    case 'DATE':
      need(len, 4);
      return view.getInt32(at) + PG_EPOCH_DAYS;
    case 'TIME':
      need(len, 8);
      return readI64n(view, at);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      need(len, 8);
      return readI64n(view, at) + PG_EPOCH_MICROS;
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH': {
      need(len, 16);
      const micros = readI64n(view, at);
      const days = view.getInt32(at + 8);
      const months = view.getInt32(at + 12);
      if (type.kind === 'INTERVAL_YEAR_MONTH') {
        if (micros !== 0 || days !== 0) throw notSupported('an interval with days or time as a year-month interval');
        return months;
      }
      if (months !== 0) throw notSupported('an interval with months as a day-time interval');
      return days * MICROS_PER_DAY + micros;
    }
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      need(len, 4);
      return view.getUint32(at);
    case 'ARRAY':
      return readArray(bytes, view, at, len, type);
    case 'ROW':
      return readRecord(bytes, view, at, len, type);
    case 'NULL':
      throw new InternalError('decodeBinary called for the NULL type');
    default:
      return unreachable(type);
  }
}

/** The signed base-10000 digits of a binary numeric as one bigint, its power-of-ten exponent and its dscale. */
function readNumericParts(view: DataView, at: number, len: number): [bigint, number, number] {
  if (len < 8) throw badFormat();
  const ndigits = view.getInt16(at);
  const weight = view.getInt16(at + 2);
  const sign = view.getUint16(at + 4);
  const dscale = view.getInt16(at + 6);
  if (ndigits < 0 || len !== 8 + ndigits * 2 || dscale < 0) throw badFormat();
  if (sign === 0xc000 || sign === 0xd000 || sign === 0xf000) throw notSupported('NaN and infinity in DECIMAL');
  if (sign !== 0 && sign !== 0x4000) throw badFormat();
  let mag = 0n;
  for (let i = 0; i < ndigits; i++) {
    const d = view.getInt16(at + 8 + i * 2);
    if (d < 0 || d > 9999) throw badFormat();
    mag = mag * 10000n + BigInt(d);
  }
  // value = mag * 10000^(weight - ndigits + 1)
  return [sign === 0x4000 ? -mag : mag, (weight - ndigits + 1) * 4, dscale];
}

function readNumeric(view: DataView, at: number, len: number, precision: number, scale: number): bigint {
  const [value, exp10] = readNumericParts(view, at, len);
  return checkPrecision(rescale(value, -exp10, scale), precision, scale);
}

function readArray(bytes: Uint8Array, view: DataView, at: number, len: number, type: SqlType & { kind: 'ARRAY' }): Value[] {
  const end = at + len;
  if (len < 12) throw badFormat();
  const ndim = view.getInt32(at);
  const elemOid = view.getInt32(at + 8);
  let pos = at + 12;
  if (ndim === 0) return [];
  if (ndim < 0 || ndim > 6 || pos + ndim * 8 > end) throw badFormat();
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = view.getInt32(pos);
    if (d < 0) throw badFormat();
    dims.push(d);
    pos += 8;
  }
  let base: SqlType = type;
  for (let i = 0; i < ndim; i++) {
    if (base.kind !== 'ARRAY') throw badFormat();
    base = base.element;
  }
  if (elemOid !== pgTypeOid(base) && elemOid !== 0) throw badFormat();
  const build = (depth: number): Value[] => {
    const out: Value[] = [];
    for (let i = 0; i < dims[depth]!; i++) {
      if (depth + 1 < ndim) {
        out.push(build(depth + 1));
        continue;
      }
      if (pos + 4 > end) throw badFormat();
      const n = view.getInt32(pos);
      pos += 4;
      if (n === -1) {
        out.push(null);
        continue;
      }
      if (n < 0 || pos + n > end) throw badFormat();
      out.push(read(bytes, view, pos, n, base));
      pos += n;
    }
    return out;
  };
  const result = build(0);
  if (pos !== end) throw badFormat();
  return result;
}

function readRecord(bytes: Uint8Array, view: DataView, at: number, len: number, type: SqlType & { kind: 'ROW' }): Value[] {
  const end = at + len;
  if (len < 4) throw badFormat();
  const n = view.getInt32(at);
  if (n !== type.fields.length) throw badFormat();
  let pos = at + 4;
  const out: Value[] = [];
  for (let i = 0; i < n; i++) {
    if (pos + 8 > end) throw badFormat();
    const size = view.getInt32(pos + 4);
    pos += 8;
    if (size === -1) {
      out.push(null);
      continue;
    }
    if (size < 0 || pos + size > end) throw badFormat();
    out.push(read(bytes, view, pos, size, type.fields[i]!.type));
    pos += size;
  }
  if (pos !== end) throw badFormat();
  return out;
}
