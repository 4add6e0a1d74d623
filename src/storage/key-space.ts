/**
 * The LevelDB key space: every key starts with one prefix byte naming the
 * concern that owns it. This file is the only place prefixes are defined, so
 * two concerns can never collide.
 *
 * Layout:
 * - META      0x01 + utf8 name                  -> concern-specific bytes (counters, format version)
 * - CATALOG   0x02 + uint32 BE object id        -> JSON of a RelationDefinition
 * - TABLE_ROW 0x03 + uint32 BE table id + key   -> row-codec bytes of the physical columns
 * - STATE     0x04 + uint32 BE owner + utf8 table name + 0x00 + key -> operator state of a
 *             materialized view or job (src/state/durable-state.ts)
 * - JOB       0x05 + uint32 BE owner + utf8 name -> job definitions and checkpoint records (src/jobs)
 * - CHANGELOG 0x06 + uint32 BE table id         -> the table's change head (table-store.ts)
 *   CHANGELOG 0x06 + uint32 BE table id + uint64 BE position -> one logged change of a stored table
 * - SAVEPOINT 0x07 + uint32 BE savepoint number + 0x00 -> its record (JSON);
 *             + 0x01 + state key without its STATE + owner prefix -> a copy of one state entry
 *
 * Within a prefix, ids are big-endian so one object's keys are contiguous and
 * ordered; the suffix keys of TABLE_ROW / STATE are key-codec encodings, so
 * byte order is SQL order.
 */

export const KeyPrefix = {
  META: 0x01,
  CATALOG: 0x02,
  TABLE_ROW: 0x03,
  STATE: 0x04,
  JOB: 0x05,
  CHANGELOG: 0x06,
  SAVEPOINT: 0x07,
} as const;

export type KeyPrefixCode = (typeof KeyPrefix)[keyof typeof KeyPrefix];

const utf8 = new TextEncoder();

/** Key of a named meta value. */
export function metaKey(name: string): Uint8Array {
  const bytes = utf8.encode(name);
  const out = new Uint8Array(1 + bytes.length);
  out[0] = KeyPrefix.META;
  out.set(bytes, 1);
  return out;
}

/** `prefix` byte followed by `id` as uint32 big-endian: the start of one object's key range. */
export function objectPrefix(prefix: KeyPrefixCode, id: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = prefix;
  new DataView(out.buffer).setUint32(1, id >>> 0);
  return out;
}

/** `objectPrefix(prefix, id)` followed by `suffix`. */
export function objectKey(prefix: KeyPrefixCode, id: number, suffix: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + suffix.length);
  out[0] = prefix;
  new DataView(out.buffer).setUint32(1, id >>> 0);
  out.set(suffix, 5);
  return out;
}

/** The id of a key built by `objectPrefix` / `objectKey`. */
export function objectIdOf(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
}

/** The bytes after the 5-byte object prefix of a key built by `objectKey`. */
export function objectSuffix(key: Uint8Array): Uint8Array {
  return key.subarray(5);
}

/** Bounds covering exactly the keys that start with `prefix`. */
export interface KeyRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
}

/** The range of keys starting with `prefix` (which must not be all 0xff bytes). */
export function prefixRange(prefix: Uint8Array): KeyRange {
  const end = prefix.slice();
  let i = end.length - 1;
  while (i >= 0 && end[i] === 0xff) i--;
  if (i < 0) throw new RangeError('prefix of only 0xff bytes has no upper bound');
  end[i]! += 1;
  return { gte: prefix, lt: end.subarray(0, i + 1) };
}

/** The range of every key under one prefix byte (all objects of a concern). */
export function concernRange(prefix: KeyPrefixCode): KeyRange {
  return prefixRange(new Uint8Array([prefix]));
}
