/**
 * PostgreSQL's int2vector and oidvector columns (pg_index.indkey, indclass,
 * indcollation, indoption) are arrays whose subscripts start at 0:
 * `indkey[0]` is the first key column, array_lower(indkey, 1) is 0 and
 * generate_subscripts(indkey, 1) counts from 0. Millrace arrays have no lower
 * bound and always start at 1, so the binder shifts subscripts and reported
 * bounds for exactly these catalog columns, recognised by the table and
 * attribute a column reference comes from (also through derived tables).
 */
import { SystemOid } from '../../catalog/pg-catalog/oids.ts';
import { PG_INDEX_VECTOR_ATTNUMS } from '../../catalog/pg-catalog/pg-index.ts';
import type { BoundExpr } from './bound-expr.ts';
import type { BindEnv } from './bind-env.ts';

/** Table oid to the attribute numbers of its vector columns. */
const VECTOR_COLUMNS: ReadonlyMap<number, ReadonlySet<number>> = new Map([[SystemOid.pg_index, PG_INDEX_VECTOR_ATTNUMS]]);

/** Whether `e` reads a catalog column that PostgreSQL subscripts from 0. */
export function isZeroBasedVector(e: BoundExpr | undefined, env: BindEnv): boolean {
  if (e?.kind !== 'column') return false;
  const origin = env.origins.get(e);
  if (origin?.tableOid === undefined || origin.attnum === undefined) return false;
  return VECTOR_COLUMNS.get(origin.tableOid)?.has(origin.attnum) === true;
}
