/**
 * pg_catalog.pg_description (comments on relations, objsubid 0, and on their
 * columns, objsubid = attnum; PostgreSQL's comments on the pg_catalog and public
 * schemas) and pg_shdescription (empty).
 */
import type { Row } from '../types.ts';
import { INT, OID, STRING } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { emptyRelation, Namespace, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

export function pgDescription(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_description,
    schema: 'pg_catalog',
    name: 'pg_description',
    columns: [
      ['objoid', OID],
      ['classoid', OID],
      ['objsubid', INT],
      ['description', STRING],
    ],
    rows: () => {
      const rows: Row[] = [
        [Namespace.PG_CATALOG, SystemOid.pg_namespace, 0, 'system catalog schema'],
        [Namespace.PUBLIC, SystemOid.pg_namespace, 0, 'standard public schema'],
      ];
      for (const r of [...catalog.systemRelations(), ...catalog.userRelations()]) {
        if (r.comment !== undefined) rows.push([r.id, SystemOid.pg_class, 0, r.comment]);
        r.columns.forEach((c, i) => {
          if (c.comment !== undefined) rows.push([r.id, SystemOid.pg_class, i + 1, c.comment]);
        });
      }
      return rows;
    },
  });
}

export function pgShdescription(): SystemRelationWithKind {
  return emptyRelation(SystemOid.pg_shdescription, 'pg_catalog', 'pg_shdescription', [
    ['objoid', OID],
    ['classoid', OID],
    ['description', STRING],
  ]);
}
