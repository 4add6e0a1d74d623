/**
 * Values as JavaScript Map keys. Operators that index rows in Maps (window
 * aggregation, window joins) use a value as it is when SQL equality of its
 * type is SameValueZero of the JS values, and otherwise its key encoding as a
 * string; byte strings (encoded keys) become Map keys the same way.
 */
import type { SqlType } from '../../catalog/types.ts';

/**
 * Whether equal key encodings and SameValueZero-equal JS values coincide for
 * non-NULL values of `type` (-0 and 0, every NaN: equal in both), so its values
 * can be Map keys as they are. Numbers, bigints and strings qualify; arrays,
 * bytes and maps do not.
 */
export function keyedByValue(type: SqlType): boolean {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DECIMAL':
    case 'FLOAT':
    case 'DOUBLE':
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
      return true;
    default:
      return false;
  }
}

/** `bytes` as a string with one character per byte (latin1), usable as a Map key. */
export function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
