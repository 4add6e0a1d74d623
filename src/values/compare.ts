/**
 * Total order, equality and hashing of non-null values, per type.
 *
 * - Strings compare by Unicode code point (the bytewise order of their UTF-8,
 *   which is also the key codec's order), i.e. Postgres with the C collation.
 *   CHAR(n) values are blank-padded to the same length, so padding does not
 *   change their order.
 * - FLOAT/DOUBLE follow Postgres: NaN equals NaN and is larger than every other
 *   value including Infinity; -0 equals 0.
 * - Arrays and ROWs compare element by element (a NULL element is larger than
 *   any value, as in Postgres), then by length.
 * - MAPs compare by their entries sorted by key (slow path; MAP keys are rare).
 *
 * - Unconstrained NUMERIC compares by value (1.5 = 1.50) and hashes its
 *   normalized form (trailing zeros dropped).
 *
 * `hashValue` is consistent with `valuesEqual`: equal values hash equally.
 * Hashes are 32-bit unsigned integers; no strings or objects are built per call.
 */

import type { SqlType, Value } from '../../catalog/types.ts';
import { InternalError, unreachable } from '../errors.ts';
import { compareNumeric, normalizeNumeric, type Numeric } from './numeric.ts';

/** Code-point comparison of two JS strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800-DFFF) encode code points above FFFF: move them above E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

function compareElements(a: readonly Value[], b: readonly Value[], ta: (i: number) => SqlType, n: number): number {
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(x, y, ta(i));
    if (c !== 0) return c;
  }
  return 0;
}

/** Sorted [key, value] entries of a map, for its order and hash. */
export function sortedEntries(m: ReadonlyMap<Value, Value>, keyType: SqlType): [Value, Value][] {
  return [...m.entries()].sort((x, y) =>
    x[0] === null ? (y[0] === null ? 0 : 1) : y[0] === null ? -1 : compareValues(x[0], y[0], keyType),
  );
}

/** Negative, zero or positive as `a` sorts before, with or after `b` (both non-null). */
export function compareValues(a: Value, b: Value, type: SqlType): number {
  switch (type.kind) {
    case 'BOOLEAN':
      return a === b ? 0 : a ? 1 : -1;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'BIGINT':
    case 'DECIMAL':
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 'NUMERIC':
      return compareNumeric(a as Numeric, b as Numeric);
    case 'FLOAT':
    case 'DOUBLE':
      return compareFloats(a as number, b as number);
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
    case 'UUID':
      return compareStrings(a as string, b as string);
    case 'BYTES':
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'ARRAY': {
      const x = a as readonly Value[];
      const y = b as readonly Value[];
      const el = type.element;
      const c = compareElements(x, y, () => el, Math.min(x.length, y.length));
      return c !== 0 ? c : x.length - y.length;
    }
    case 'ROW':
      return compareElements(a as readonly Value[], b as readonly Value[], (i) => type.fields[i]!.type, type.fields.length);
    case 'MAP': {
      const x = sortedEntries(a as ReadonlyMap<Value, Value>, type.key);
      const y = sortedEntries(b as ReadonlyMap<Value, Value>, type.key);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c =
          compareElements(x[i]!, y[i]!, (j) => (j === 0 ? type.key : type.value), 2);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'NULL':
      throw new InternalError('compareValues called for the NULL type');
    default:
      return unreachable(type);
  }
}

/** SQL equality of two non-null values (NaN = NaN, -0 = 0, as Postgres does for grouping). */
export function valuesEqual(a: Value, b: Value, type: SqlType): boolean {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DECIMAL':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
    case 'UUID':
      return a === b;
    case 'FLOAT':
    case 'DOUBLE':
      return a === b || (Number.isNaN(a) && Number.isNaN(b));
    case 'NUMERIC':
      return compareNumeric(a as Numeric, b as Numeric) === 0;
    default:
      return compareValues(a, b, type) === 0;
  }
}

/** Equality of two rows on `columns` (all columns when omitted), NULL equal to NULL (grouping semantics). */
export function rowsEqual(
  a: readonly Value[],
  b: readonly Value[],
  types: readonly SqlType[],
  columns?: readonly number[],
): boolean {
  const n = columns === undefined ? types.length : columns.length;
  for (let i = 0; i < n; i++) {
    const c = columns === undefined ? i : columns[i]!;
    const x = a[c] ?? null;
    const y = b[c] ?? null;
    if (x === null || y === null) {
      if (x !== y) return false;
      continue;
    }
    if (!valuesEqual(x, y, types[c]!)) return false;
  }
  return true;
}

// ------------------------------------------------------------ hashing

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashNumber(h: number, v: number): number {
  if ((v | 0) === v) return mix(h, v);
  if (v === 0) return mix(h, 0);
  f64[0] = Number.isNaN(v) ? NaN : v;
  return mix(mix(h, u32[0]!), u32[1]!);
}

function hashBigint(h: number, v: bigint): number {
  if (v >= -2147483648n && v <= 2147483647n) return mix(h, Number(v));
  const lo = Number(BigInt.asUintN(32, v));
  const hi = Number(BigInt.asUintN(32, v >> 32n));
  h = mix(mix(h, lo), hi);
  if (v >= -(2n ** 63n) && v < 2n ** 63n) return h;
  let rest = v >> 64n;
  while (rest !== 0n && rest !== -1n) {
    h = mix(h, Number(BigInt.asUintN(32, rest)));
    rest >>= 32n;
  }
  return h;
}

function hashString(h: number, s: string): number {
  let i = 0;
  for (; i + 1 < s.length; i += 2) h = mix(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) h = mix(h, s.charCodeAt(i));
  return mix(h, s.length);
}

/** Folds a non-null value into a running hash state. */
function hashInto(h: number, v: Value, type: SqlType): number {
  switch (type.kind) {
    case 'BOOLEAN':
      return mix(h, v ? 1 : 2);
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
    case 'FLOAT':
    case 'DOUBLE':
      return hashNumber(h, v as number);
    case 'BIGINT':
    case 'DECIMAL':
      return hashBigint(h, v as bigint);
    case 'NUMERIC': {
      const n = normalizeNumeric(v as Numeric);
      return mix(hashBigint(h, n.unscaled), n.scale);
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
    case 'UUID':
      return hashString(h, v as string);
    case 'BYTES': {
      const b = v as Uint8Array;
      for (let i = 0; i < b.length; i++) h = mix(h, b[i]!);
      return mix(h, b.length);
    }
    case 'ARRAY': {
      const a = v as readonly Value[];
      for (const e of a) h = e === null ? mix(h, 0x7f4a7c15) : hashInto(h, e, type.element);
      return mix(h, a.length);
    }
    case 'ROW': {
      const a = v as readonly Value[];
      for (let i = 0; i < type.fields.length; i++) {
        const e = a[i] ?? null;
        h = e === null ? mix(h, 0x7f4a7c15) : hashInto(h, e, type.fields[i]!.type);
      }
      return h;
    }
    case 'MAP': {
      for (const [k, x] of sortedEntries(v as ReadonlyMap<Value, Value>, type.key)) {
        h = k === null ? mix(h, 0x7f4a7c15) : hashInto(h, k, type.key);
        h = x === null ? mix(h, 0x7f4a7c15) : hashInto(h, x, type.value);
      }
      return h;
    }
    case 'NULL':
      throw new InternalError('hashValue called for the NULL type');
    default:
      return unreachable(type);
  }
}

const SEED = 0x9747b28c;
/** The hash of SQL NULL, for callers hashing nullable values. */
export const NULL_HASH = finish(mix(SEED, 0x7f4a7c15));

/** 32-bit hash of a non-null value, consistent with `valuesEqual`. */
export function hashValue(v: Value, type: SqlType): number {
  return finish(hashInto(SEED, v, type));
}

/** 32-bit hash of `row` on `columns` (all columns when omitted); NULLs hash alike. Consistent with `rowsEqual`. */
export function hashRow(row: readonly Value[], types: readonly SqlType[], columns?: readonly number[]): number {
  let h = SEED;
  const n = columns === undefined ? types.length : columns.length;
  for (let i = 0; i < n; i++) {
    const c = columns === undefined ? i : columns[i]!;
    const v = row[c] ?? null;
    h = v === null ? mix(h, 0x7f4a7c15) : hashInto(h, v, types[c]!);
  }
  return finish(mix(h, n));
}
