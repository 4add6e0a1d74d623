/**
 * Postgres display names of SqlTypes, as `format_type(oid, NULL)` prints them
 * (no type modifier): `integer`, `character varying`, `timestamp without time zone`.
 * Used in user-facing messages (`function upper(integer) does not exist`).
 */
import { MAX_LENGTH, type SqlType } from '../../catalog/types.ts';
import { unreachable } from '../errors.ts';

export function pgTypeDisplayName(t: SqlType): string {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
      return 'smallint';
    case 'INT':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'FLOAT':
      return 'real';
    case 'DOUBLE':
      return 'double precision';
    case 'DECIMAL':
    case 'NUMERIC':
      return 'numeric';
    case 'CHAR':
      return 'character';
    case 'VARCHAR':
      return t.length === MAX_LENGTH ? 'text' : 'character varying';
    case 'BYTES':
      return 'bytea';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time without time zone';
    case 'TIMESTAMP':
      return 'timestamp without time zone';
    case 'TIMESTAMP_LTZ':
      return 'timestamp with time zone';
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return 'interval';
    case 'ARRAY':
      return `${pgTypeDisplayName(t.element)}[]`;
    case 'MAP':
      return 'json';
    case 'ROW':
      return 'record';
    case 'OID':
      return 'oid';
    case 'REGCLASS':
      return 'regclass';
    case 'REGTYPE':
      return 'regtype';
    case 'REGPROC':
      return 'regproc';
    case 'NAME':
      return 'name';
    case 'PG_CHAR':
      return '"char"';
    case 'JSON':
      return 'json';
    case 'UUID':
      return 'uuid';
    case 'NULL':
      return 'unknown';
    default:
      return unreachable(t);
  }
}
