/**
 * Implicit coercion rules shared by the binder and overload resolution.
 *
 * Implicit casts (`canImplicitlyCast`):
 * - NULL to anything; a type to itself (any length / precision of the same kind);
 * - numeric widening TINYINT < SMALLINT < INT < BIGINT < DECIMAL < NUMERIC < DOUBLE and
 *   integers / DECIMAL / NUMERIC / FLOAT -> FLOAT -> DOUBLE; DECIMAL -> DECIMAL
 *   of any precision (range-checked at run time, as Postgres' numeric typmod coercion);
 * - CHAR, VARCHAR/STRING, NAME and "char" among each other;
 * - DATE -> TIMESTAMP; DATE, TIMESTAMP -> TIMESTAMP_LTZ (in the session's zone, as
 *   Postgres' timestamp -> timestamptz); TIME, TIMESTAMP, TIMESTAMP_LTZ between precisions;
 * - OID-like types (OID, REGCLASS, REGTYPE, REGPROC) with integers and each other;
 * - ARRAY / MAP / ROW when their components coerce.
 * String literals are not handled here: the binder types them in context.
 *
 * `canCast` (explicit CAST) is whatever src/values/cast.ts can convert.
 *
 * `commonType` follows Flink's LogicalTypeMerging: exact numerics merge into
 * the DECIMAL that holds both (integers count as DECIMAL(3/5/10/19, 0)),
 * precision capped at 38 by giving up scale (keeping at least min(s, 6));
 * unconstrained NUMERIC with any exact numeric gives NUMERIC (as Postgres);
 * DECIMAL or NUMERIC with FLOAT/DOUBLE gives DOUBLE; integers with FLOAT give FLOAT;
 * VARCHAR(n) + VARCHAR(m) gives VARCHAR(max); CHAR(n) + CHAR(m), n != m, and
 * CHAR + VARCHAR give VARCHAR(max); NAME / "char" with another string kind give
 * STRING; DATE + TIMESTAMP(p) gives TIMESTAMP(p); DATE or TIMESTAMP with TIMESTAMP_LTZ gives TIMESTAMP_LTZ; OID-like with an integer gives
 * the OID-like type; NULL with T gives T; only NULLs give NULL.
 */
import {
  isCharacter,
  isIntegral,
  isOidLike,
  MAX_LENGTH,
  NULL_TYPE,
  NUMERIC,
  OID,
  STRING,
  typesEqual,
  type RowField,
  type SqlType,
} from '../../catalog/types.ts';
import { castFunction } from '../values/cast.ts';
import type { Coercion } from './signatures.ts';

export const MAX_DECIMAL_PRECISION = 38;
const MINIMUM_ADJUSTED_SCALE = 6;

/** Numeric widening rank; DECIMAL and then unconstrained NUMERIC sit between BIGINT and FLOAT. */
export function numericRank(t: SqlType): number {
  switch (t.kind) {
    case 'TINYINT':
      return 1;
    case 'SMALLINT':
      return 2;
    case 'INT':
      return 3;
    case 'BIGINT':
      return 4;
    case 'DECIMAL':
      return 5;
    case 'NUMERIC':
      return 6;
    case 'FLOAT':
      return 7;
    case 'DOUBLE':
      return 8;
    default:
      return 0;
  }
}

/** Decimal digits an integer type needs: INT = DECIMAL(10, 0), BIGINT = DECIMAL(19, 0). */
export function integerDigits(t: SqlType): number {
  switch (t.kind) {
    case 'TINYINT':
      return 3;
    case 'SMALLINT':
      return 5;
    case 'INT':
      return 10;
    default:
      return 19;
  }
}

/** The DECIMAL type that holds every value of an exact numeric type. */
export function asDecimal(t: SqlType): { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number } {
  if (t.kind === 'DECIMAL') return t;
  return { kind: 'DECIMAL', precision: integerDigits(t), scale: 0 };
}

/** Flink's adjustPrecisionScale: above 38 digits, scale is sacrificed to keep the integer part. */
export function adjustedDecimal(precision: number, scale: number): SqlType {
  if (precision <= MAX_DECIMAL_PRECISION) return { kind: 'DECIMAL', precision, scale };
  const intDigits = precision - scale;
  const minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  return { kind: 'DECIMAL', precision: MAX_DECIMAL_PRECISION, scale: Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale) };
}

function isTimestampLike(t: SqlType): boolean {
  return t.kind === 'TIMESTAMP';
}

function canImplicitlyCast(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL') return true;
  if (from.kind === to.kind) {
    switch (from.kind) {
      case 'ARRAY':
        return to.kind === 'ARRAY' && canImplicitlyCast(from.element, to.element);
      case 'MAP':
        return to.kind === 'MAP' && canImplicitlyCast(from.key, to.key) && canImplicitlyCast(from.value, to.value);
      case 'ROW':
        return (
          to.kind === 'ROW' &&
          from.fields.length === to.fields.length &&
          from.fields.every((f, i) => canImplicitlyCast(f.type, to.fields[i]!.type))
        );
      default:
        return true;
    }
  }
  const fr = numericRank(from);
  const tr = numericRank(to);
  if (fr > 0 && tr > 0) return fr < tr;
  if (isCharacter(from) && isCharacter(to)) return true;
  if (from.kind === 'DATE' && isTimestampLike(to)) return true;
  // As in Postgres, local timestamps and dates widen to TIMESTAMP_LTZ (timestamptz) in the session's zone.
  if ((from.kind === 'DATE' || from.kind === 'TIMESTAMP') && to.kind === 'TIMESTAMP_LTZ') return true;
  if (isOidLike(to) && (isIntegral(from) || isOidLike(from))) return true;
  if (isOidLike(from) && (to.kind === 'INT' || to.kind === 'BIGINT')) return true;
  return false;
}

function canCast(from: SqlType, to: SqlType): boolean {
  if (typesEqual(from, to)) return true;
  return castFunction(from, to) !== undefined;
}

function commonExact(a: SqlType, b: SqlType): SqlType {
  if (isIntegral(a) && isIntegral(b)) return numericRank(a) >= numericRank(b) ? a : b;
  if (a.kind === 'NUMERIC' || b.kind === 'NUMERIC') return NUMERIC;
  const x = asDecimal(a);
  const y = asDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const intDigits = Math.max(x.precision - x.scale, y.precision - y.scale);
  return adjustedDecimal(intDigits + scale, scale);
}

function stringLength(t: SqlType): number {
  return t.kind === 'CHAR' || t.kind === 'VARCHAR' ? t.length : MAX_LENGTH;
}

function commonPair(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.kind === 'NULL') return b;
  if (b.kind === 'NULL') return a;
  if (typesEqual(a, b)) return a;
  const ar = numericRank(a);
  const br = numericRank(b);
  if (ar > 0 && br > 0) {
    if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return a.kind === 'DOUBLE' ? a : b;
    if (a.kind === 'FLOAT' || b.kind === 'FLOAT') {
      const other = a.kind === 'FLOAT' ? b : a;
      if (other.kind === 'DECIMAL' || other.kind === 'NUMERIC') return { kind: 'DOUBLE' };
      return a.kind === 'FLOAT' ? a : b;
    }
    return commonExact(a, b);
  }
  if (isCharacter(a) && isCharacter(b)) {
    if (a.kind === 'NAME' && b.kind === 'NAME') return a;
    if (a.kind === 'PG_CHAR' && b.kind === 'PG_CHAR') return a;
    if (a.kind === 'NAME' || b.kind === 'NAME' || a.kind === 'PG_CHAR' || b.kind === 'PG_CHAR') return STRING;
    return { kind: 'VARCHAR', length: Math.max(stringLength(a), stringLength(b)) };
  }
  if (a.kind === 'DATE' && b.kind === 'TIMESTAMP') return b;
  if ((a.kind === 'DATE' || a.kind === 'TIMESTAMP') && b.kind === 'TIMESTAMP_LTZ') {
    return { kind: 'TIMESTAMP_LTZ', precision: Math.max(b.precision, a.kind === 'TIMESTAMP' ? a.precision : 0) };
  }
  if ((b.kind === 'DATE' || b.kind === 'TIMESTAMP') && a.kind === 'TIMESTAMP_LTZ') {
    return { kind: 'TIMESTAMP_LTZ', precision: Math.max(a.precision, b.kind === 'TIMESTAMP' ? b.precision : 0) };
  }
  if (b.kind === 'DATE' && a.kind === 'TIMESTAMP') return a;
  if ((a.kind === 'TIME' || a.kind === 'TIMESTAMP' || a.kind === 'TIMESTAMP_LTZ') && a.kind === b.kind) {
    const bp = (b as { readonly precision: number }).precision;
    return { kind: a.kind, precision: Math.max(a.precision, bp) };
  }
  if (isOidLike(a) && isOidLike(b)) return OID;
  if (isOidLike(a) && isIntegral(b)) return a;
  if (isOidLike(b) && isIntegral(a)) return b;
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const el = commonPair(a.element, b.element);
    return el === undefined ? undefined : { kind: 'ARRAY', element: el };
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = commonPair(a.key, b.key);
    const v = commonPair(a.value, b.value);
    return k === undefined || v === undefined ? undefined : { kind: 'MAP', key: k, value: v };
  }
  if (a.kind === 'ROW' && b.kind === 'ROW' && a.fields.length === b.fields.length) {
    const fields: RowField[] = [];
    for (let i = 0; i < a.fields.length; i++) {
      const t = commonPair(a.fields[i]!.type, b.fields[i]!.type);
      if (t === undefined) return undefined;
      fields.push({ name: a.fields[i]!.name, type: t });
    }
    return { kind: 'ROW', fields };
  }
  return undefined;
}

function commonType(types: readonly SqlType[]): SqlType | undefined {
  let result: SqlType = NULL_TYPE;
  for (const t of types) {
    const next = commonPair(result, t);
    if (next === undefined) return undefined;
    result = next;
  }
  return result;
}

export const coercion: Coercion = { canImplicitlyCast, canCast, commonType };
