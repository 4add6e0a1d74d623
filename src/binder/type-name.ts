/**
 * Type names as written (AST TypeName) -> SqlType.
 *
 * Flink spellings and Postgres spellings meet here: the grammar already
 * canonicalises the keywords it knows (INTEGER -> INT, NUMERIC -> DECIMAL, ...);
 * the rest (`regclass`, `pg_catalog.int4`, `"char"`, `jsonb`) arrive lower-case
 * and are looked up in PG_NAMES. Defaults follow Flink: DECIMAL -> (10, 0),
 * TIMESTAMP -> precision 6, TIME -> 0, VARCHAR without length -> STRING.
 * Unknown names fail with 42704 `type "foo" does not exist` at the name.
 */
import type { IntervalQualifier, TypeName } from '../../grammar/ast.ts';
import {
  NUMERIC,
  arrayOf,
  BIGINT,
  BOOLEAN,
  BYTES,
  char,
  DATE,
  decimal,
  DOUBLE,
  FLOAT,
  INT,
  INTERVAL_DAY_TIME,
  INTERVAL_YEAR_MONTH,
  JSON_TYPE,
  MAX_LENGTH,
  NAME,
  OID,
  PG_CHAR,
  REGCLASS,
  REGPROC,
  REGTYPE,
  SMALLINT,
  STRING,
  time,
  timestamp,
  timestampLtz,
  TINYINT,
  UUID,
  varchar,
  type SqlType,
} from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';

/** Postgres / lower-case names the grammar passes through verbatim. */
const PG_NAMES: ReadonlyMap<string, SqlType> = new Map<string, SqlType>([
  ['bool', BOOLEAN],
  ['boolean', BOOLEAN],
  ['int2', SMALLINT],
  ['smallint', SMALLINT],
  ['int4', INT],
  ['int', INT],
  ['integer', INT],
  ['int8', BIGINT],
  ['bigint', BIGINT],
  ['float4', FLOAT],
  ['real', FLOAT],
  ['float8', DOUBLE],
  ['float', DOUBLE],
  ['text', STRING],
  ['string', STRING],
  ['varchar', STRING],
  ['bpchar', char(1)],
  ['bytea', BYTES],
  ['date', DATE],
  ['timestamp', timestamp(6)],
  ['timestamptz', timestampLtz(6)],
  ['time', time(0)],
  ['interval', INTERVAL_DAY_TIME],
  ['oid', OID],
  ['regclass', REGCLASS],
  ['regtype', REGTYPE],
  ['regproc', REGPROC],
  ['regprocedure', REGPROC],
  ['name', NAME],
  ['char', PG_CHAR],
  ['json', JSON_TYPE],
  ['jsonb', JSON_TYPE],
  ['uuid', UUID],
  // Catalog reference types millrace has no own kind for: plain OIDs.
  ['regnamespace', OID],
  ['regrole', OID],
  ['regoper', OID],
  ['regoperator', OID],
  ['regconfig', OID],
  ['regdictionary', OID],
  ['regcollation', OID],
  ['xid', OID],
  ['cid', OID],
  // Types shown as text.
  ['pg_node_tree', STRING],
  ['aclitem', STRING],
  ['cstring', STRING],
  ['pg_lsn', STRING],
  ['inet', STRING],
  ['cidr', STRING],
  ['citext', STRING],
  ['xml', STRING],
  ['numeric', NUMERIC],
  ['decimal', NUMERIC],
]);

export function resolveTypeName(t: TypeName): SqlType {
  let base = resolveBase(t);
  for (let i = 0; i < t.arrayDims; i++) base = arrayOf(base);
  return base;
}

function param(t: TypeName, i: number, dflt: number): number {
  return t.params[i] ?? dflt;
}

function element(t: TypeName, i: number): SqlType {
  const e = t.elementTypes[i];
  if (e === undefined) throw new SqlError(SqlState.SYNTAX_ERROR, `type ${t.name} needs an element type`, { position: t.pos });
  return resolveTypeName(e);
}

function intervalType(q: IntervalQualifier | undefined): SqlType {
  if (q === undefined) return INTERVAL_DAY_TIME;
  const last = q.to ?? q.from;
  return q.from === 'YEAR' || q.from === 'MONTH' || last === 'MONTH' || last === 'YEAR' ? INTERVAL_YEAR_MONTH : INTERVAL_DAY_TIME;
}

function resolveBase(t: TypeName): SqlType {
  switch (t.name) {
    case 'BOOLEAN':
      return BOOLEAN;
    case 'TINYINT':
      return TINYINT;
    case 'SMALLINT':
      return SMALLINT;
    case 'INT':
      return INT;
    case 'BIGINT':
      return BIGINT;
    case 'FLOAT':
      // FLOAT(p) as in Postgres: 1..24 is 4-byte, 25..53 8-byte; bare FLOAT is Flink's 4-byte FLOAT.
      return t.params[0] !== undefined && t.params[0] > 24 ? DOUBLE : FLOAT;
    case 'DOUBLE':
      return DOUBLE;
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC': {
      // Without precision: Postgres' unconstrained numeric (Flink would make it DECIMAL(10, 0)).
      if (t.params.length === 0) return NUMERIC;
      const p = param(t, 0, 10);
      const s = param(t, 1, 0);
      if (p < 1 || p > 38) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `NUMERIC precision ${p} must be between 1 and 38`, { position: t.pos });
      }
      if (s < 0 || s > p) {
        throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `NUMERIC scale ${s} must be between 0 and precision ${p}`, { position: t.pos });
      }
      return decimal(p, s);
    }
    case 'STRING':
    case 'TEXT':
      return STRING;
    case 'VARCHAR':
      return t.params.length === 0 ? STRING : varchar(lengthParam(t));
    case 'CHAR':
      return char(t.params.length === 0 ? 1 : lengthParam(t));
    case 'BYTES':
    case 'BINARY':
    case 'VARBINARY':
      return BYTES;
    case 'DATE':
      return DATE;
    case 'TIME':
      return time(precisionParam(t, 0));
    case 'TIMESTAMP':
      return timestamp(precisionParam(t, 6));
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMPTZ':
      return timestampLtz(precisionParam(t, 6));
    case 'INTERVAL':
      return intervalType(t.interval);
    case 'ARRAY':
      return arrayOf(element(t, 0));
    case 'MAP':
      return { kind: 'MAP', key: element(t, 0), value: element(t, 1) };
    case 'ROW':
      return { kind: 'ROW', fields: t.fields.map((f) => ({ name: f.name.value, type: resolveTypeName(f.type) })) };
    default: {
      if (t.schema !== undefined && t.schema !== 'pg_catalog') throw undefinedType(t);
      const pg = PG_NAMES.get(t.name);
      if (pg === undefined) throw undefinedType(t);
      if (t.name === 'varchar' && t.params.length > 0) return varchar(lengthParam(t));
      if (t.name === 'bpchar' && t.params.length > 0) return char(lengthParam(t));
      if ((t.name === 'numeric' || t.name === 'decimal') && t.params.length > 0) return decimal(param(t, 0, 10), param(t, 1, 0));
      if (t.name === 'timestamp' || t.name === 'timestamptz' || t.name === 'time') {
        const p = precisionParam(t, pg.kind === 'TIME' ? 0 : 6);
        return pg.kind === 'TIME' ? time(p) : pg.kind === 'TIMESTAMP' ? timestamp(p) : timestampLtz(p);
      }
      return pg;
    }
  }
}

function lengthParam(t: TypeName): number {
  const n = t.params[0] ?? 1;
  if (n < 1 || n > MAX_LENGTH) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `length for type ${t.name.toLowerCase()} must be at least 1`, { position: t.pos });
  }
  return n;
}

function precisionParam(t: TypeName, dflt: number): number {
  const p = param(t, 0, dflt);
  if (p < 0 || p > 9) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `precision ${p} of type ${t.name} must be between 0 and 9`, { position: t.pos });
  }
  return p;
}

function undefinedType(t: TypeName): SqlError {
  const name = t.schema === undefined ? t.name : `${t.schema}.${t.name}`;
  return new SqlError(SqlState.UNDEFINED_OBJECT, `type "${name}" does not exist`, { position: t.pos });
}
