/**
 * SQL types: Flink's logical types plus the Postgres types that pg_catalog and
 * clients need, as immutable tagged data.
 *
 * Runtime value representation (the `Value` of each type), fixed for the whole engine:
 *
 * | type                         | Value                                                    |
 * |------------------------------|----------------------------------------------------------|
 * | BOOLEAN                      | boolean                                                  |
 * | TINYINT, SMALLINT, INT       | number (integral)                                        |
 * | BIGINT                       | bigint                                                   |
 * | FLOAT, DOUBLE                | number                                                   |
 * | DECIMAL(p, s)                | bigint: the unscaled value (value * 10^s), s from the type |
 * | NUMERIC (no precision)       | Numeric (src/values/numeric.ts): unscaled bigint + the value's own scale |
 * | CHAR, VARCHAR, STRING(TEXT)  | string                                                   |
 * | BYTES                        | Uint8Array                                               |
 * | DATE                         | number: days since 1970-01-01                            |
 * | TIME(p)                      | number: microseconds since midnight                      |
 * | TIMESTAMP(p), TIMESTAMP_LTZ(p)| number: microseconds since 1970-01-01 00:00:00 (UTC for LTZ) |
 * | INTERVAL_DAY_TIME            | number: microseconds                                     |
 * | INTERVAL_YEAR_MONTH          | number: months                                           |
 * | ARRAY<T>                     | Value[]                                                  |
 * | MAP<K, V>                    | Map<Value, Value>                                        |
 * | ROW<...>                     | Value[] (one slot per field)                             |
 * | OID, REGCLASS, REGTYPE, REGPROC | number (unsigned 32-bit)                              |
 * | NAME, PG_CHAR                | string                                                   |
 * | JSON                         | string (the JSON text)                                   |
 * | UUID                         | string (canonical lower-case text)                       |
 * | NULL (type of a bare NULL)   | null only                                                |
 *
 * SQL NULL is JavaScript `null` for every type.
 */

import type { Numeric } from '../src/values/numeric.ts';

export type SqlType =
  | { readonly kind: 'BOOLEAN' }
  | { readonly kind: 'TINYINT' }
  | { readonly kind: 'SMALLINT' }
  | { readonly kind: 'INT' }
  | { readonly kind: 'BIGINT' }
  | { readonly kind: 'FLOAT' }
  | { readonly kind: 'DOUBLE' }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
  /** NUMERIC / DECIMAL written without precision: Postgres' unconstrained numeric, each value keeps its scale. */
  | { readonly kind: 'NUMERIC' }
  /** CHAR(n): blank-padded. */
  | { readonly kind: 'CHAR'; readonly length: number }
  /** VARCHAR(n); Flink's STRING is VARCHAR with `length` = MAX_LENGTH and maps to Postgres `text`. */
  | { readonly kind: 'VARCHAR'; readonly length: number }
  | { readonly kind: 'BYTES' }
  | { readonly kind: 'DATE' }
  | { readonly kind: 'TIME'; readonly precision: number }
  | { readonly kind: 'TIMESTAMP'; readonly precision: number }
  | { readonly kind: 'TIMESTAMP_LTZ'; readonly precision: number }
  | { readonly kind: 'INTERVAL_DAY_TIME' }
  | { readonly kind: 'INTERVAL_YEAR_MONTH' }
  | { readonly kind: 'ARRAY'; readonly element: SqlType }
  | { readonly kind: 'MAP'; readonly key: SqlType; readonly value: SqlType }
  | { readonly kind: 'ROW'; readonly fields: readonly RowField[] }
  | { readonly kind: 'OID' }
  | { readonly kind: 'REGCLASS' }
  | { readonly kind: 'REGTYPE' }
  | { readonly kind: 'REGPROC' }
  | { readonly kind: 'NAME' }
  /** Postgres' one-byte "char" (pg_class.relkind). */
  | { readonly kind: 'PG_CHAR' }
  | { readonly kind: 'JSON' }
  | { readonly kind: 'UUID' }
  | { readonly kind: 'NULL' };

export interface RowField {
  readonly name: string;
  readonly type: SqlType;
}

export type SqlTypeKind = SqlType['kind'];

/** VARCHAR length that means "unbounded" (Flink's STRING). */
export const MAX_LENGTH = 2147483647;

export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Numeric
  | readonly Value[]
  | ReadonlyMap<Value, Value>;

export type Row = Value[];

// ------------------------------------------------------------ constructors (shared instances)

export const BOOLEAN: SqlType = { kind: 'BOOLEAN' };
export const TINYINT: SqlType = { kind: 'TINYINT' };
export const SMALLINT: SqlType = { kind: 'SMALLINT' };
export const INT: SqlType = { kind: 'INT' };
export const BIGINT: SqlType = { kind: 'BIGINT' };
export const FLOAT: SqlType = { kind: 'FLOAT' };
export const DOUBLE: SqlType = { kind: 'DOUBLE' };
export const STRING: SqlType = { kind: 'VARCHAR', length: MAX_LENGTH };
export const BYTES: SqlType = { kind: 'BYTES' };
export const DATE: SqlType = { kind: 'DATE' };
export const INTERVAL_DAY_TIME: SqlType = { kind: 'INTERVAL_DAY_TIME' };
export const INTERVAL_YEAR_MONTH: SqlType = { kind: 'INTERVAL_YEAR_MONTH' };
export const OID: SqlType = { kind: 'OID' };
export const REGCLASS: SqlType = { kind: 'REGCLASS' };
export const REGTYPE: SqlType = { kind: 'REGTYPE' };
export const REGPROC: SqlType = { kind: 'REGPROC' };
export const NAME: SqlType = { kind: 'NAME' };
export const PG_CHAR: SqlType = { kind: 'PG_CHAR' };
export const JSON_TYPE: SqlType = { kind: 'JSON' };
export const UUID: SqlType = { kind: 'UUID' };
export const NULL_TYPE: SqlType = { kind: 'NULL' };
/** Unconstrained NUMERIC (no precision, no scale). */
export const NUMERIC: SqlType = { kind: 'NUMERIC' };

export function decimal(precision: number, scale: number): SqlType {
  return { kind: 'DECIMAL', precision, scale };
}
export function varchar(length: number): SqlType {
  return { kind: 'VARCHAR', length };
}
export function char(length: number): SqlType {
  return { kind: 'CHAR', length };
}
export function time(precision = 0): SqlType {
  return { kind: 'TIME', precision };
}
export function timestamp(precision = 6): SqlType {
  return { kind: 'TIMESTAMP', precision };
}
export function timestampLtz(precision = 6): SqlType {
  return { kind: 'TIMESTAMP_LTZ', precision };
}
export function arrayOf(element: SqlType): SqlType {
  return { kind: 'ARRAY', element };
}

// ------------------------------------------------------------ classification

export function isIntegral(t: SqlType): boolean {
  return t.kind === 'TINYINT' || t.kind === 'SMALLINT' || t.kind === 'INT' || t.kind === 'BIGINT';
}

export function isApproximate(t: SqlType): boolean {
  return t.kind === 'FLOAT' || t.kind === 'DOUBLE';
}

export function isNumeric(t: SqlType): boolean {
  return isIntegral(t) || isApproximate(t) || t.kind === 'DECIMAL' || t.kind === 'NUMERIC';
}

export function isCharacter(t: SqlType): boolean {
  return t.kind === 'CHAR' || t.kind === 'VARCHAR' || t.kind === 'NAME' || t.kind === 'PG_CHAR';
}

export function isTemporal(t: SqlType): boolean {
  return t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
}

export function isInterval(t: SqlType): boolean {
  return t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH';
}

/** OID-like types: numbers that name catalog objects. */
export function isOidLike(t: SqlType): boolean {
  return t.kind === 'OID' || t.kind === 'REGCLASS' || t.kind === 'REGTYPE' || t.kind === 'REGPROC';
}

export function typesEqual(a: SqlType, b: SqlType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'DECIMAL':
      return b.kind === 'DECIMAL' && a.precision === b.precision && a.scale === b.scale;
    case 'CHAR':
    case 'VARCHAR':
      return (b.kind === 'CHAR' || b.kind === 'VARCHAR') && a.length === b.length;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (b.kind === 'TIME' || b.kind === 'TIMESTAMP' || b.kind === 'TIMESTAMP_LTZ') && a.precision === b.precision;
    case 'ARRAY':
      return b.kind === 'ARRAY' && typesEqual(a.element, b.element);
    case 'MAP':
      return b.kind === 'MAP' && typesEqual(a.key, b.key) && typesEqual(a.value, b.value);
    case 'ROW':
      return (
        b.kind === 'ROW' &&
        a.fields.length === b.fields.length &&
        a.fields.every((f, i) => f.name === b.fields[i]!.name && typesEqual(f.type, b.fields[i]!.type))
      );
    default:
      return true;
  }
}

// ------------------------------------------------------------ Flink names

/** The type as Flink prints it (DESCRIBE, SHOW CREATE TABLE, EXPLAIN): `INT`, `VARCHAR(32)`, `STRING`, `TIMESTAMP(3)`. */
export function flinkTypeName(t: SqlType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'CHAR':
      return `CHAR(${t.length})`;
    case 'VARCHAR':
      return t.length === MAX_LENGTH ? 'STRING' : `VARCHAR(${t.length})`;
    case 'TIME':
      return `TIME(${t.precision})`;
    case 'TIMESTAMP':
      return `TIMESTAMP(${t.precision})`;
    case 'TIMESTAMP_LTZ':
      return `TIMESTAMP_LTZ(${t.precision})`;
    case 'INTERVAL_DAY_TIME':
      return 'INTERVAL SECOND(3)';
    case 'INTERVAL_YEAR_MONTH':
      return 'INTERVAL MONTH';
    case 'ARRAY':
      return `ARRAY<${flinkTypeName(t.element)}>`;
    case 'MAP':
      return `MAP<${flinkTypeName(t.key)}, ${flinkTypeName(t.value)}>`;
    case 'ROW':
      return `ROW<${t.fields.map((f) => `\`${f.name}\` ${flinkTypeName(f.type)}`).join(', ')}>`;
    case 'PG_CHAR':
      return '"char"';
    default:
      return t.kind;
  }
}

// ------------------------------------------------------------ Postgres OIDs

/** Postgres type OIDs (pg_type.oid), as clients know them. */
export const PgOid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int2vector: 22,
  int4: 23,
  regproc: 24,
  text: 25,
  oid: 26,
  oidvector: 30,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  regclass: 2205,
  regtype: 2206,
  uuid: 2950,
  record: 2249,
  jsonb: 3802,
  // array types
  _bool: 1000,
  _bytea: 1001,
  _char: 1002,
  _name: 1003,
  _int2: 1005,
  _int4: 1007,
  _text: 1009,
  _varchar: 1015,
  _bpchar: 1014,
  _int8: 1016,
  _float4: 1021,
  _float8: 1022,
  _oid: 1028,
  _timestamp: 1115,
  _date: 1182,
  _time: 1183,
  _timestamptz: 1185,
  _interval: 1187,
  _numeric: 1231,
  _regtype: 2211,
  _uuid: 2951,
  _json: 199,
} as const;

/** The Postgres type OID a value of this type is sent as. */
export function pgTypeOid(t: SqlType): number {
  switch (t.kind) {
    case 'BOOLEAN':
      return PgOid.bool;
    case 'TINYINT':
    case 'SMALLINT':
      return PgOid.int2;
    case 'INT':
      return PgOid.int4;
    case 'BIGINT':
      return PgOid.int8;
    case 'FLOAT':
      return PgOid.float4;
    case 'DOUBLE':
      return PgOid.float8;
    case 'DECIMAL':
    case 'NUMERIC':
      return PgOid.numeric;
    case 'CHAR':
      return PgOid.bpchar;
    case 'VARCHAR':
      return t.length === MAX_LENGTH ? PgOid.text : PgOid.varchar;
    case 'BYTES':
      return PgOid.bytea;
    case 'DATE':
      return PgOid.date;
    case 'TIME':
      return PgOid.time;
    case 'TIMESTAMP':
      return PgOid.timestamp;
    case 'TIMESTAMP_LTZ':
      return PgOid.timestamptz;
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return PgOid.interval;
    case 'ARRAY':
      return arrayOidOf(pgTypeOid(t.element));
    case 'MAP':
      return PgOid.json;
    case 'ROW':
      return PgOid.record;
    case 'OID':
      return PgOid.oid;
    case 'REGCLASS':
      return PgOid.regclass;
    case 'REGTYPE':
      return PgOid.regtype;
    case 'REGPROC':
      return PgOid.regproc;
    case 'NAME':
      return PgOid.name;
    case 'PG_CHAR':
      return PgOid.char;
    case 'JSON':
      return PgOid.json;
    case 'UUID':
      return PgOid.uuid;
    case 'NULL':
      return PgOid.text;
  }
}

const ARRAY_OIDS: ReadonlyMap<number, number> = new Map([
  [PgOid.bool, PgOid._bool],
  [PgOid.bytea, PgOid._bytea],
  [PgOid.char, PgOid._char],
  [PgOid.name, PgOid._name],
  [PgOid.int2, PgOid._int2],
  [PgOid.int4, PgOid._int4],
  [PgOid.text, PgOid._text],
  [PgOid.varchar, PgOid._varchar],
  [PgOid.bpchar, PgOid._bpchar],
  [PgOid.int8, PgOid._int8],
  [PgOid.float4, PgOid._float4],
  [PgOid.float8, PgOid._float8],
  [PgOid.oid, PgOid._oid],
  [PgOid.timestamp, PgOid._timestamp],
  [PgOid.date, PgOid._date],
  [PgOid.time, PgOid._time],
  [PgOid.timestamptz, PgOid._timestamptz],
  [PgOid.interval, PgOid._interval],
  [PgOid.numeric, PgOid._numeric],
  [PgOid.regtype, PgOid._regtype],
  [PgOid.uuid, PgOid._uuid],
  [PgOid.json, PgOid._json],
]);

export function arrayOidOf(elementOid: number): number {
  return ARRAY_OIDS.get(elementOid) ?? PgOid._text;
}

/**
 * The type modifier sent in RowDescription (pg_attribute.atttypmod): -1 unless
 * the type has one: varchar/bpchar n+4, numeric ((p << 16) | s) + 4, time/timestamp precision.
 */
export function pgTypmod(t: SqlType): number {
  switch (t.kind) {
    case 'VARCHAR':
      return t.length === MAX_LENGTH ? -1 : t.length + 4;
    case 'CHAR':
      return t.length + 4;
    case 'DECIMAL':
      return ((t.precision << 16) | t.scale) + 4;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return t.precision;
    default:
      return -1;
  }
}

/** pg_type.typlen: the fixed size in bytes, or -1 for variable length. */
export function pgTypeLength(t: SqlType): number {
  switch (t.kind) {
    case 'BOOLEAN':
    case 'PG_CHAR':
      return 1;
    case 'TINYINT':
    case 'SMALLINT':
      return 2;
    case 'INT':
    case 'FLOAT':
    case 'DATE':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return 4;
    case 'BIGINT':
    case 'DOUBLE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 8;
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'UUID':
      return 16;
    case 'NAME':
      return 64;
    default:
      return -1;
  }
}
