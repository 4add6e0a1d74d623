/**
 * Serialization of operator state values for the persistent state tables.
 *
 * `StateCodec<V>` turns one value of a state table into bytes and back; the
 * table stores those bytes in LevelDB and counts them against the memory
 * budget. `stateValueCodec` is the generic codec for state trees: SQL values
 * (catalog/types.ts `Value`), arrays and plain objects, nested freely.
 *
 * Format: self-describing, one tag byte per node, then
 *   NULL / FALSE / TRUE                    nothing
 *   INT      (safe integer, |n| < 2^52, not -0)  zigzag varint
 *   FLOAT    (any other number: -0, NaN, ±Infinity, fractions, large)  f64 big-endian (bit exact)
 *   BIGINT   (|n| < 2^52)                zigzag varint
 *   BIGPOS / BIGNEG (any other bigint)   varint byte count, magnitude little-endian
 *   STRING                               varint UTF-8 byte length, UTF-8
 *   BYTES                                varint length, bytes
 *   ARRAY                                varint count, elements
 *   MAP                                  varint count, key, value, key, value...
 *   OBJECT                               varint count, (varint-length UTF-8 name, value)...
 *   NUMERIC  (unconstrained NUMERIC value)  varint scale, then the unscaled bigint as a node
 * Varints are unsigned LEB128 of up to 53 bits. Decoding yields fresh
 * objects: arrays, Maps, Uint8Arrays and objects (Object.prototype) equal in
 * content, not identity; a Map keyed by arrays or byte strings decodes to new
 * key objects.
 *
 * A plain object is one whose prototype is Object.prototype or null; any
 * other object (class instance, other typed array, Set, Date), a function,
 * a symbol or undefined is not state and throws InternalError.
 */
import type { Value } from '../../catalog/types.ts';
import { InternalError } from '../errors.ts';
import { ByteReader } from '../values/byte-reader.ts';
import { ByteWriter } from '../values/byte-writer.ts';
import { Numeric } from '../values/numeric.ts';

export interface StateCodec<V> {
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}

export type StateValue = Value | readonly StateValue[] | { readonly [field: string]: StateValue };

const Tag = {
  NULL: 0,
  FALSE: 1,
  TRUE: 2,
  INT: 3,
  FLOAT: 4,
  BIGINT: 5,
  BIGPOS: 6,
  BIGNEG: 7,
  STRING: 8,
  BYTES: 9,
  ARRAY: 10,
  MAP: 11,
  OBJECT: 12,
  NUMERIC: 13,
} as const;

/** Integers below this magnitude zigzag into at most 2^53, still exact as a number. */
const SMALL_LIMIT = 2 ** 52;
const SMALL_LIMIT_BIG = 2n ** 52n;

const shared = new ByteWriter(256);

export function encodeStateValue(v: StateValue): Uint8Array {
  shared.reset();
  writeStateValue(shared, v);
  return shared.finish();
}

export function decodeStateValue(b: Uint8Array): StateValue {
  const r = new ByteReader(b);
  const v = readStateValue(r);
  if (!r.done) throw new InternalError('state value has trailing bytes');
  return v;
}

export const stateValueCodec: StateCodec<StateValue> = {
  encode: encodeStateValue,
  decode: decodeStateValue,
};

/** Appends the encoding of `v` to `w` (for codecs that embed state values in larger records). */
export function writeStateValue(w: ByteWriter, v: StateValue): void {
  switch (typeof v) {
    case 'boolean':
      w.u8(v ? Tag.TRUE : Tag.FALSE);
      return;
    case 'number':
      if (Number.isInteger(v) && v < SMALL_LIMIT && v > -SMALL_LIMIT && !Object.is(v, -0)) {
        w.u8(Tag.INT);
        writeVarint(w, v >= 0 ? v * 2 : -v * 2 - 1);
      } else {
        w.u8(Tag.FLOAT);
        w.f64(v);
      }
      return;
    case 'string':
      w.u8(Tag.STRING);
      w.lengthPrefixedUtf8(v);
      return;
    case 'bigint':
      writeBigint(w, v);
      return;
    case 'object':
      if (v === null) {
        w.u8(Tag.NULL);
        return;
      }
      if (Array.isArray(v)) {
        const a = v as readonly StateValue[];
        w.u8(Tag.ARRAY);
        writeVarint(w, a.length);
        for (let i = 0; i < a.length; i++) {
          if (!(i in a)) throw new InternalError('state value: sparse array');
          writeStateValue(w, a[i]!);
        }
        return;
      }
      writeObject(w, v);
      return;
    default:
      throw new InternalError(`state value: cannot serialize a ${typeof v}`);
  }
}

/** Reads one value written by `writeStateValue` at the reader's position. */
export function readStateValue(r: ByteReader): StateValue {
  const tag = r.u8();
  switch (tag) {
    case Tag.NULL:
      return null;
    case Tag.FALSE:
      return false;
    case Tag.TRUE:
      return true;
    case Tag.INT: {
      const z = r.varint();
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    case Tag.FLOAT:
      return r.f64();
    case Tag.BIGINT: {
      const z = r.varint();
      return BigInt(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    }
    case Tag.BIGPOS:
      return readMagnitude(r);
    case Tag.BIGNEG:
      return -readMagnitude(r);
    case Tag.STRING:
      return r.utf8(r.varint());
    case Tag.BYTES:
      return r.bytes(r.varint());
    case Tag.ARRAY: {
      const n = r.varint();
      const out = new Array<StateValue>(n);
      for (let i = 0; i < n; i++) out[i] = readStateValue(r);
      return out;
    }
    case Tag.MAP: {
      const n = r.varint();
      const out = new Map<Value, Value>();
      for (let i = 0; i < n; i++) {
        const k = readStateValue(r) as Value;
        out.set(k, readStateValue(r) as Value);
      }
      return out;
    }
    case Tag.OBJECT: {
      const n = r.varint();
      const out: { [field: string]: StateValue } = {};
      for (let i = 0; i < n; i++) {
        const name = r.utf8(r.varint());
        const value = readStateValue(r);
        if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
        else out[name] = value;
      }
      return out;
    }
    case Tag.NUMERIC: {
      const scale = r.varint();
      const unscaled = readStateValue(r);
      if (typeof unscaled !== 'bigint') throw new InternalError('state value: malformed numeric');
      return new Numeric(unscaled, scale);
    }
    default:
      throw new InternalError(`state value: unknown tag ${tag}`);
  }
}

function writeObject(w: ByteWriter, v: object): void {
  if (v instanceof Uint8Array) {
    if (Object.getPrototypeOf(v) !== Uint8Array.prototype && !Buffer.isBuffer(v)) {
      throw new InternalError('state value: cannot serialize a Uint8Array subclass');
    }
    w.u8(Tag.BYTES);
    writeVarint(w, v.length);
    w.bytes(v);
    return;
  }
  if (v instanceof Map) {
    w.u8(Tag.MAP);
    writeVarint(w, v.size);
    for (const [k, x] of v as ReadonlyMap<Value, Value>) {
      writeStateValue(w, k);
      writeStateValue(w, x);
    }
    return;
  }
  if (v instanceof Numeric) {
    w.u8(Tag.NUMERIC);
    writeVarint(w, v.scale);
    writeBigint(w, v.unscaled);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    const name = (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new InternalError(`state value: cannot serialize an instance of ${name}`);
  }
  const fields = v as { readonly [field: string]: StateValue };
  const names = Object.keys(fields);
  w.u8(Tag.OBJECT);
  writeVarint(w, names.length);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    w.lengthPrefixedUtf8(name);
    writeStateValue(w, fields[name]!);
  }
}

function writeBigint(w: ByteWriter, v: bigint): void {
  if (v < SMALL_LIMIT_BIG && v > -SMALL_LIMIT_BIG) {
    const n = Number(v);
    w.u8(Tag.BIGINT);
    writeVarint(w, n >= 0 ? n * 2 : -n * 2 - 1);
    return;
  }
  const negative = v < 0n;
  w.u8(negative ? Tag.BIGNEG : Tag.BIGPOS);
  const hex = (negative ? -v : v).toString(16);
  const count = (hex.length + 1) >> 1;
  writeVarint(w, count);
  w.ensure(count);
  // Little-endian: the last two hex digits first; an odd-length string leaves one digit for the top byte.
  for (let end = hex.length; end > 0; end -= 2) {
    w.buf[w.len++] = parseInt(hex.slice(Math.max(0, end - 2), end), 16);
  }
}

function readMagnitude(r: ByteReader): bigint {
  const count = r.varint();
  r.need(count);
  const buf = r.buf;
  let hex = '';
  for (let i = r.pos + count - 1; i >= r.pos; i--) hex += (buf[i]! < 16 ? '0' : '') + buf[i]!.toString(16);
  r.pos += count;
  return count === 0 ? 0n : BigInt('0x' + hex);
}

/** Unsigned LEB128 of a non-negative integer up to 2^53 (ByteWriter.varint stops at 2^32). */
function writeVarint(w: ByteWriter, v: number): void {
  if (v < 0x80000000) {
    w.varint(v);
    return;
  }
  w.ensure(8);
  while (v >= 0x80) {
    w.buf[w.len++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  w.buf[w.len++] = v;
}
