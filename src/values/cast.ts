/**
 * Casts between SqlTypes, resolved once per (from, to) pair into a function on
 * non-null values; `undefined` means the cast is not allowed.
 *
 * Semantics follow Postgres where Postgres and Flink differ:
 * - integer narrowing is range-checked (22003 `integer out of range`);
 * - FLOAT/DOUBLE -> integer rounds half to even (Postgres uses rint());
 *   DECIMAL -> integer and DECIMAL rescaling round half away from zero;
 * - FLOAT/DOUBLE -> DECIMAL goes through 6 / 15 significant digits as Postgres does;
 * - anything -> string uses the Postgres text form (booleans give `true`/`false`,
 *   CHAR -> VARCHAR drops trailing blanks); explicit casts to VARCHAR(n)/CHAR(n)
 *   truncate silently, CHAR(n) pads;
 * - string -> anything parses the Postgres text form (22P02 etc. on bad input);
 * - BOOLEAN <-> integer types (Flink allows it; Postgres only for int4);
 * - DATE/TIMESTAMP/TIMESTAMP_LTZ/TIME convert through the session time zone;
 *   precision reductions round half away from zero;
 * - integer <-> OID types wrap like Postgres' int4 <-> oid;
 * - unconstrained NUMERIC keeps each value's scale: integers get scale 0, DECIMAL(p, s)
 *   scale s, FLOAT/DOUBLE go through 6 / 15 significant digits without trailing zeros
 *   (Postgres' float8_numeric); NUMERIC -> DECIMAL(p, s) rounds as DECIMAL rescaling does;
 * - ARRAY, ROW and MAP cast element-wise.
 */

import { isCharacter, isIntegral, isOidLike, MAX_LENGTH, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { localToUtcMicros, MICROS_PER_DAY, utcToLocalMicros } from './datetime.ts';
import { roundMicros } from './datetime-parse.ts';
import { checkPrecision, formatDecimal, parseDecimal, pow10, rescale, roundDiv10 } from './decimal.ts';
import { Numeric, numericFromFloat, numericToNumber as numericValueToNumber } from './numeric.ts';
import { formatValue } from './text-format.ts';
import { padChar, parseValue } from './text-parse.ts';

export interface CastContext {
  readonly timeZone: string;
  /**
   * Catalog look-ups for casting REGCLASS / REGTYPE / REGPROC to text (the
   * EvalContext passes its own). Without it those casts print the oid.
   */
  readonly catalog?: OidNames;
}

/** The look-ups a cast of an OID alias type to text needs (a subset of the session's CatalogLookup). */
export interface OidNames {
  relationById(oid: number): { readonly name: string } | undefined;
  typeNameByOid(oid: number, typmod: number): string | undefined;
  functionNameByOid(oid: number): string | undefined;
}

export type CastFn = (v: Value, ctx: CastContext) => Value;

const identity: CastFn = (v) => v;

const INT_RANGES = {
  TINYINT: [-128, 127, 'tinyint'],
  SMALLINT: [-32768, 32767, 'smallint'],
  INT: [-2147483648, 2147483647, 'integer'],
} as const;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function outOfRange(typeName: string): SqlError {
  return new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, `${typeName} out of range`);
}

/** Round half to even, as C's rint() in the default rounding mode. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function composeString(to: SqlType, f: CastFn): CastFn {
  const fit = fitString(to);
  return fit === identity ? f : (v, ctx) => fit(f(v, ctx), ctx);
}

/** Truncation/padding of an explicit cast to a character type. */
function fitString(to: SqlType): CastFn {
  switch (to.kind) {
    case 'VARCHAR':
      if (to.length === MAX_LENGTH) return identity;
      return (v) => ((v as string).length > to.length ? truncateChars(v as string, to.length) : v);
    case 'CHAR':
      return (v) => padChar(truncateChars(v as string, to.length), to.length);
    case 'NAME':
      return (v) => parseValue(v as string, to, { timeZone: 'UTC' });
    case 'PG_CHAR':
      return (v) => ((v as string).length === 0 ? '' : String.fromCodePoint((v as string).codePointAt(0)!));
    default:
      return identity;
  }
}

/** The first `n` characters (code points) of `s`. */
function truncateChars(s: string, n: number): string {
  if (s.length <= n) return s;
  let count = 0;
  let i = 0;
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    count++;
  }
  return s.slice(0, i);
}

/** Converts any numeric value to a JS number (for FLOAT/DOUBLE targets). */
function numericToNumber(from: SqlType): (v: Value) => number {
  if (from.kind === 'BIGINT') return (v) => Number(v as bigint);
  if (from.kind === 'DECIMAL') {
    const s = from.scale;
    return (v) => Number(formatDecimal(v as bigint, s));
  }
  if (from.kind === 'NUMERIC') return (v) => numericValueToNumber(v as Numeric);
  return (v) => v as number;
}

function toSmallInt(from: SqlType, to: 'TINYINT' | 'SMALLINT' | 'INT'): CastFn | undefined {
  const [min, max, name] = INT_RANGES[to];
  const check = (n: number): number => {
    if (!(n >= min && n <= max)) throw outOfRange(name);
    return n || 0;
  };
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => check(v as number);
    case 'BIGINT':
      return (v) => {
        const b = v as bigint;
        if (b < BigInt(min) || b > BigInt(max)) throw outOfRange(name);
        return Number(b);
      };
    case 'DECIMAL': {
      const s = from.scale;
      return (v) => {
        const b = roundDiv10(v as bigint, s);
        if (b < BigInt(min) || b > BigInt(max)) throw outOfRange(name);
        return Number(b);
      };
    }
    case 'NUMERIC':
      return (v) => {
        const b = roundDiv10((v as Numeric).unscaled, (v as Numeric).scale);
        if (b < BigInt(min) || b > BigInt(max)) throw outOfRange(name);
        return Number(b);
      };
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => check(rint(v as number));
    case 'BOOLEAN':
      return (v) => (v ? 1 : 0);
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return to === 'INT' ? (v) => (v as number) | 0 : undefined;
    default:
      return undefined;
  }
}

function toBigint(from: SqlType): CastFn | undefined {
  const check = (b: bigint): bigint => {
    if (b < INT64_MIN || b > INT64_MAX) throw outOfRange('bigint');
    return b;
  };
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return (v) => BigInt(v as number);
    case 'DECIMAL': {
      const s = from.scale;
      return (v) => check(roundDiv10(v as bigint, s));
    }
    case 'NUMERIC':
      return (v) => check(roundDiv10((v as Numeric).unscaled, (v as Numeric).scale));
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => {
        const r = rint(v as number);
        if (!Number.isFinite(r) || r < -9223372036854775808 || r >= 9223372036854775808) throw outOfRange('bigint');
        return BigInt(r);
      };
    case 'BOOLEAN':
      return (v) => (v ? 1n : 0n);
    default:
      return undefined;
  }
}

function toDecimal(from: SqlType, precision: number, scale: number): CastFn | undefined {
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => checkPrecision(BigInt(v as number) * pow10(scale), precision, scale);
    case 'BIGINT':
      return (v) => checkPrecision((v as bigint) * pow10(scale), precision, scale);
    case 'DECIMAL': {
      const s = from.scale;
      if (s === scale && from.precision <= precision) return identity;
      return (v) => checkPrecision(rescale(v as bigint, s, scale), precision, scale);
    }
    case 'NUMERIC':
      return (v) => checkPrecision(rescale((v as Numeric).unscaled, (v as Numeric).scale, scale), precision, scale);
    case 'FLOAT':
    case 'DOUBLE': {
      const digits = from.kind === 'FLOAT' ? 6 : 15;
      return (v) => {
        const x = v as number;
        if (!Number.isFinite(x)) {
          throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `cannot convert ${x} to DECIMAL(${precision}, ${scale})`);
        }
        return checkPrecision(parseDecimal(x.toPrecision(digits), scale)!, precision, scale);
      };
    }
    default:
      return undefined;
  }
}

function toNumeric(from: SqlType): CastFn | undefined {
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => new Numeric(BigInt(v as number), 0);
    case 'BIGINT':
      return (v) => new Numeric(v as bigint, 0);
    case 'DECIMAL': {
      const s = from.scale;
      return (v) => new Numeric(v as bigint, s);
    }
    case 'NUMERIC':
      return identity;
    case 'FLOAT':
      return (v) => numericFromFloat(v as number, 6);
    case 'DOUBLE':
      return (v) => numericFromFloat(v as number, 15);
    default:
      return undefined;
  }
}

function toOid(from: SqlType): CastFn | undefined {
  if (isOidLike(from)) return identity;
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => (v as number) >>> 0;
    case 'BIGINT':
      return (v) => {
        const b = v as bigint;
        if (b < 0n || b > 4294967295n) throw outOfRange('OID');
        return Number(b);
      };
    default:
      return undefined;
  }
}

function toTemporal(from: SqlType, to: SqlType & { kind: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ' }): CastFn | undefined {
  const p = to.kind === 'DATE' ? 6 : to.precision;
  switch (from.kind) {
    case 'DATE':
      if (to.kind === 'TIMESTAMP') return (v) => (v as number) * MICROS_PER_DAY;
      if (to.kind === 'TIMESTAMP_LTZ') return (v, ctx) => localToUtcMicros((v as number) * MICROS_PER_DAY, ctx.timeZone);
      return undefined;
    case 'TIMESTAMP':
      switch (to.kind) {
        case 'DATE':
          return (v) => Math.floor((v as number) / MICROS_PER_DAY);
        case 'TIME':
          return (v) => {
            const t = roundMicros(v as number, p);
            return t - Math.floor(t / MICROS_PER_DAY) * MICROS_PER_DAY;
          };
        case 'TIMESTAMP':
          return p >= from.precision ? identity : (v) => roundMicros(v as number, p);
        case 'TIMESTAMP_LTZ':
          return (v, ctx) => roundMicros(localToUtcMicros(v as number, ctx.timeZone), p);
      }
      return undefined;
    case 'TIMESTAMP_LTZ':
      switch (to.kind) {
        case 'DATE':
          return (v, ctx) => Math.floor(utcToLocalMicros(v as number, ctx.timeZone) / MICROS_PER_DAY);
        case 'TIME':
          return (v, ctx) => {
            const t = roundMicros(utcToLocalMicros(v as number, ctx.timeZone), p);
            return t - Math.floor(t / MICROS_PER_DAY) * MICROS_PER_DAY;
          };
        case 'TIMESTAMP':
          return (v, ctx) => roundMicros(utcToLocalMicros(v as number, ctx.timeZone), p);
        case 'TIMESTAMP_LTZ':
          return p >= from.precision ? identity : (v) => roundMicros(v as number, p);
      }
      return undefined;
    case 'TIME':
      if (to.kind !== 'TIME') return undefined;
      return p >= from.precision ? identity : (v) => Math.min(roundMicros(v as number, p), MICROS_PER_DAY);
    default:
      return undefined;
  }
}

/**
 * The cast from `from` to `to` for non-null values, or undefined when not allowed.
 * Resolve once per expression; the returned function does no type dispatch.
 */
export function castFunction(from: SqlType, to: SqlType): CastFn | undefined {
  if (from.kind === 'NULL') return identity;
  // Anything -> character types: the Postgres text form.
  if (isCharacter(to)) {
    if (isCharacter(from)) {
      if (from.kind === 'CHAR' && to.kind !== 'CHAR') return composeString(to, (v) => (v as string).replace(/ +$/, ''));
      return fitString(to);
    }
    if (from.kind === 'BOOLEAN') return composeString(to, (v) => (v ? 'true' : 'false'));
    if (from.kind === 'REGCLASS' || from.kind === 'REGTYPE' || from.kind === 'REGPROC') {
      return composeString(to, (v, ctx) => oidAliasText(v as number, from.kind, ctx));
    }
    return composeString(to, (v, ctx) => formatValue(v, from, ctx));
  }
  if (isCharacter(from)) {
    if (to.kind === 'NULL') return undefined;
    return (v, ctx) => parseValue(v as string, to, ctx);
  }
  switch (to.kind) {
    case 'BOOLEAN':
      if (from.kind === 'BOOLEAN') return identity;
      if (from.kind === 'BIGINT') return (v) => (v as bigint) !== 0n;
      if (isIntegral(from)) return (v) => (v as number) !== 0;
      return undefined;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      if (from.kind === to.kind) return identity;
      return toSmallInt(from, to.kind);
    case 'BIGINT':
      if (from.kind === 'BIGINT') return identity;
      return toBigint(from);
    case 'FLOAT':
    case 'DOUBLE': {
      if (!(isIntegral(from) || from.kind === 'DECIMAL' || from.kind === 'NUMERIC' || from.kind === 'FLOAT' || from.kind === 'DOUBLE')) {
        return undefined;
      }
      if (from.kind === 'DOUBLE' && to.kind === 'DOUBLE') return identity;
      const num = numericToNumber(from);
      if (to.kind === 'DOUBLE') return (v) => num(v);
      return (v) => {
        const x = Math.fround(num(v));
        if (!Number.isFinite(x) && Number.isFinite(num(v))) {
          throw new SqlError(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, 'value out of range: overflow');
        }
        return x;
      };
    }
    case 'DECIMAL':
      return toDecimal(from, to.precision, to.scale);
    case 'NUMERIC':
      return toNumeric(from);
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (from.kind === to.kind && to.kind === 'DATE') return identity;
      return toTemporal(from, to);
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return from.kind === to.kind ? identity : undefined;
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return toOid(from);
    case 'BYTES':
    case 'JSON':
    case 'UUID':
      return from.kind === to.kind ? identity : undefined;
    case 'ARRAY': {
      if (from.kind !== 'ARRAY') return undefined;
      const el = castFunction(from.element, to.element);
      if (el === undefined) return undefined;
      if (el === identity) return identity;
      return (v, ctx) => (v as readonly Value[]).map((e) => (e === null ? null : el(e, ctx)));
    }
    case 'ROW': {
      if (from.kind !== 'ROW' || from.fields.length !== to.fields.length) return undefined;
      const fns: CastFn[] = [];
      for (let i = 0; i < to.fields.length; i++) {
        const f = castFunction(from.fields[i]!.type, to.fields[i]!.type);
        if (f === undefined) return undefined;
        fns.push(f);
      }
      return (v, ctx) => (v as readonly Value[]).map((e, i) => (e === null ? null : fns[i]!(e, ctx)));
    }
    case 'MAP': {
      if (from.kind !== 'MAP') return undefined;
      const kf = castFunction(from.key, to.key);
      const vf = castFunction(from.value, to.value);
      if (kf === undefined || vf === undefined) return undefined;
      return (v, ctx) => {
        const out = new Map<Value, Value>();
        for (const [k, x] of v as ReadonlyMap<Value, Value>) {
          out.set(k === null ? null : kf(k, ctx), x === null ? null : vf(x, ctx));
        }
        return out;
      };
    }
    case 'NULL':
      return undefined;
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
      return undefined;
  }
}

/**
 * A REGCLASS / REGTYPE / REGPROC value as text, as the type's output function
 * prints it: the object's name (a relation's quoted where needed), `-` for 0,
 * the oid when no object has it (or no catalog is at hand).
 */
function oidAliasText(oid: number, kind: 'REGCLASS' | 'REGTYPE' | 'REGPROC', ctx: CastContext): string {
  if (oid === 0) return '-';
  const catalog = ctx.catalog;
  if (catalog === undefined) return String(oid);
  let name: string | undefined;
  if (kind === 'REGCLASS') {
    const rel = catalog.relationById(oid);
    name = rel === undefined ? undefined : quoteRelationName(rel.name);
  } else if (kind === 'REGTYPE') name = catalog.typeNameByOid(oid, -1);
  else name = catalog.functionNameByOid(oid);
  return name ?? String(oid);
}

/** A relation name as regclass prints it: bare when it is a plain lower-case identifier, else double-quoted. */
function quoteRelationName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
