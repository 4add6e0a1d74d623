/**
 * information_schema.table_constraints and key_column_usage: the primary key
 * (`<table>_pkey`) of every keyed user table; referential_constraints is
 * empty (millrace has no foreign keys). Materialized views have no constraints
 * (PostgreSQL allows none; a key of one is only an index, see pg_index).
 */
import type { Row } from '../types.ts';
import { INT, NAME, STRING } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { emptyRelation, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from '../pg-catalog/oids.ts';

export function isTableConstraints(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.is_table_constraints,
    schema: 'information_schema',
    name: 'table_constraints',
    relkind: 'v',
    columns: [
      ['constraint_catalog', NAME],
      ['constraint_schema', NAME],
      ['constraint_name', NAME],
      ['table_catalog', NAME],
      ['table_schema', NAME],
      ['table_name', NAME],
      ['constraint_type', STRING],
      ['is_deferrable', STRING],
      ['initially_deferred', STRING],
      ['enforced', STRING],
      ['nulls_distinct', STRING],
    ],
    rows: (ctx) =>
      catalog
        .userRelations()
        .filter((r) => r.kind === 'table' && catalog.primaryKeyOids(r.id) !== undefined)
        .map((r): Row => [ctx.database, r.schema, `${r.name}_pkey`, ctx.database, r.schema, r.name, 'PRIMARY KEY', 'NO', 'NO', 'YES', null]),
  });
}

export function isKeyColumnUsage(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.is_key_column_usage,
    schema: 'information_schema',
    name: 'key_column_usage',
    relkind: 'v',
    columns: [
      ['constraint_catalog', NAME],
      ['constraint_schema', NAME],
      ['constraint_name', NAME],
      ['table_catalog', NAME],
      ['table_schema', NAME],
      ['table_name', NAME],
      ['column_name', NAME],
      ['ordinal_position', INT],
      ['position_in_unique_constraint', INT],
    ],
    rows: (ctx) => {
      const rows: Row[] = [];
      for (const r of catalog.userRelations()) {
        if (r.kind !== 'table' || catalog.primaryKeyOids(r.id) === undefined) continue;
        r.primaryKey.forEach((k, i) => rows.push([ctx.database, r.schema, `${r.name}_pkey`, ctx.database, r.schema, r.name, k, i + 1, null]));
      }
      return rows;
    },
  });
}

export function isReferentialConstraints(): SystemRelationWithKind {
  return emptyRelation(
    SystemOid.is_referential_constraints,
    'information_schema',
    'referential_constraints',
    [
      ['constraint_catalog', NAME], ['constraint_schema', NAME], ['constraint_name', NAME],
      ['unique_constraint_catalog', NAME], ['unique_constraint_schema', NAME], ['unique_constraint_name', NAME],
      ['match_option', STRING], ['update_rule', STRING], ['delete_rule', STRING],
    ],
    'v',
  );
}
