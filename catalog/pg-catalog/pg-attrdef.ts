/**
 * pg_catalog.pg_attrdef: the expressions of computed (generated) columns;
 * adbin holds the SQL text, which pg_get_expr returns as is. Row oids are
 * (relation oid * 1024 + attnum), unique within this relation.
 */
import type { Row } from '../types.ts';
import { OID, SMALLINT, STRING } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

export function attrdefOid(relationId: number, attnum: number): number {
  return (relationId * 1024 + attnum) % 4294967296;
}

export function pgAttrdef(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_attrdef,
    schema: 'pg_catalog',
    name: 'pg_attrdef',
    columns: [
      ['oid', OID],
      ['adrelid', OID],
      ['adnum', SMALLINT],
      ['adbin', STRING],
    ],
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.userRelations()) {
        r.columns.forEach((c, i) => {
          if (c.kind === 'computed') rows.push([attrdefOid(r.id, i + 1), r.id, i + 1, c.expr ?? '']);
        });
      }
      return rows;
    },
  });
}
