/** pg_catalog.pg_index: the primary key index of every keyed table; a keyed materialized view's is a unique index (not primary). */
import type { Row, SqlType } from '../types.ts';
import { BOOLEAN, OID, SMALLINT, STRING, arrayOf } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';
import { primaryKeyAttnums } from './pg-constraint.ts';

const COLUMNS: [string, SqlType][] = [
  ['indexrelid', OID],
  ['indrelid', OID],
  ['indnatts', SMALLINT],
  ['indnkeyatts', SMALLINT],
  ['indisunique', BOOLEAN],
  ['indnullsnotdistinct', BOOLEAN],
  ['indisprimary', BOOLEAN],
  ['indisexclusion', BOOLEAN],
  ['indimmediate', BOOLEAN],
  ['indisclustered', BOOLEAN],
  ['indisvalid', BOOLEAN],
  ['indcheckxmin', BOOLEAN],
  ['indisready', BOOLEAN],
  ['indislive', BOOLEAN],
  ['indisreplident', BOOLEAN],
  ['indkey', arrayOf(SMALLINT)],
  ['indcollation', arrayOf(OID)],
  ['indclass', arrayOf(OID)],
  ['indoption', arrayOf(SMALLINT)],
  ['indexprs', STRING],
  ['indpred', STRING],
];

/**
 * Attribute numbers of the int2vector / oidvector columns, which PostgreSQL subscripts from 0
 * (millrace stores them as ordinary arrays; the binder shifts their subscripts).
 */
export const PG_INDEX_VECTOR_ATTNUMS: ReadonlySet<number> = new Set(
  ['indkey', 'indcollation', 'indclass', 'indoption'].map((name) => COLUMNS.findIndex(([n]) => n === name) + 1),
);

export function pgIndex(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_index,
    schema: 'pg_catalog',
    name: 'pg_index',
    columns: COLUMNS,
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.userRelations()) {
        const pk = catalog.primaryKeyOids(r.id);
        if (pk === undefined) continue;
        const keys = primaryKeyAttnums(r);
        rows.push([
          pk.index, r.id, keys.length, keys.length, true, false, r.kind === 'table', false, true, false, true, false, true, true, false,
          keys, keys.map(() => 0), keys.map(() => 0), keys.map(() => 0), null, null,
        ]);
      }
      return rows;
    },
  });
}
