/**
 * pg_catalog.pg_constraint: a primary key constraint ('p', named `<table>_pkey`) for every keyed table.
 * A materialized view has no constraints (as in PostgreSQL); its key is a unique index only.
 */
import type { Row } from '../types.ts';
import { BOOLEAN, INT, NAME, OID, PG_CHAR, SMALLINT, STRING, arrayOf } from '../types.ts';
import type { RelationDefinition } from '../relation.ts';
import type { CatalogReader } from '../system-relation.ts';
import { namespaceOid, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

/** attnums (1-based column positions) of a relation's primary key columns, in key order. */
export function primaryKeyAttnums(r: RelationDefinition): number[] {
  if (r.kind === 'view') return [];
  return r.primaryKey.map((k) => r.columns.findIndex((c) => c.name === k) + 1);
}

export function pgConstraint(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_constraint,
    schema: 'pg_catalog',
    name: 'pg_constraint',
    columns: [
      ['oid', OID],
      ['conname', NAME],
      ['connamespace', OID],
      ['contype', PG_CHAR],
      ['condeferrable', BOOLEAN],
      ['condeferred', BOOLEAN],
      ['convalidated', BOOLEAN],
      ['conrelid', OID],
      ['contypid', OID],
      ['conindid', OID],
      ['conparentid', OID],
      ['confrelid', OID],
      ['confupdtype', PG_CHAR],
      ['confdeltype', PG_CHAR],
      ['confmatchtype', PG_CHAR],
      ['conislocal', BOOLEAN],
      ['coninhcount', INT],
      ['connoinherit', BOOLEAN],
      ['conkey', arrayOf(SMALLINT)],
      ['confkey', arrayOf(SMALLINT)],
      ['conpfeqop', arrayOf(OID)],
      ['conppeqop', arrayOf(OID)],
      ['conffeqop', arrayOf(OID)],
      ['confdelsetcols', arrayOf(SMALLINT)],
      ['conexclop', arrayOf(OID)],
      ['conbin', STRING],
    ],
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.userRelations()) {
        const pk = catalog.primaryKeyOids(r.id);
        if (pk === undefined || r.kind !== 'table') continue;
        rows.push([
          pk.constraint, `${r.name}_pkey`, namespaceOid(r.schema), 'p', false, false, true, r.id, 0, pk.index, 0, 0,
          ' ', ' ', ' ', true, 0, true, primaryKeyAttnums(r), null, null, null, null, null, null, null,
        ]);
      }
      return rows;
    },
  });
}
