/**
 * PostgreSQL's int2vector and oidvector catalog columns on the wire. millrace keeps pg_index.indkey,
 * indoption (int2vector) and indcollation, indclass (oidvector) as SMALLINT / OID arrays; a result
 * column that reads one of them directly (recognised by the table oid and attribute number its
 * RowDescription reports) is described with the vector's type oid (22 / 30) and sent in the
 * vector's text form, the elements separated by single spaces (`2 1`), as psql's \d and drivers
 * expect. The binary form is an array's (int2vectorsend is array_send) whose lower bound is 0, as
 * PostgreSQL's vectors are subscripted from 0. A value computed from such
 * a column (`indkey::text`, `indkey[0]`) is an ordinary array or element.
 */
import { PG_INDEX_VECTOR_ATTNUMS } from '../../catalog/pg-catalog/pg-index.ts';
import { SystemOid } from '../../catalog/pg-catalog/oids.ts';
import { PgOid, type SqlType, type Value } from '../../catalog/types.ts';
import { encodeBinary } from '../values/binary.ts';
import type { ResultColumn } from '../session/api.ts';

/** The vector type oid (int2vector / oidvector) a result column is described with, or undefined. */
export function vectorTypeOid(column: ResultColumn): number | undefined {
  if (column.tableOid !== SystemOid.pg_index || !PG_INDEX_VECTOR_ATTNUMS.has(column.attnum)) return undefined;
  if (column.type.kind !== 'ARRAY') return undefined;
  return column.type.element.kind === 'OID' ? PgOid.oidvector : PgOid.int2vector;
}

/** int2vectorsend / oidvectorsend: the array's binary form with the lower bound 0. */
export function encodeVectorBinary(value: Value, type: SqlType): Uint8Array {
  const bytes = encodeBinary(value, type);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Header: ndim, has-null flag, element oid; then per dimension its length and lower bound.
  if (bytes.length >= 20 && view.getInt32(0) === 1) view.setInt32(16, 0);
  return bytes;
}

/** int2vectorout / oidvectorout: the elements in order, separated by spaces. */
export function formatVector(value: Value): string {
  return (value as readonly Value[]).map((v) => String(v)).join(' ');
}
