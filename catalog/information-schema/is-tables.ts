/**
 * information_schema.schemata, tables and views. User tables are 'BASE
 * TABLE'; views and materialized views are 'VIEW' (Postgres leaves
 * materialized views out, which hides them from BI pickers; millrace's are
 * the point of the system, so they are listed). pg_catalog tables are 'BASE
 * TABLE', pg_catalog views and information_schema relations 'VIEW'.
 */
import type { Row } from '../types.ts';
import { NAME, STRING } from '../types.ts';
import type { RelationDefinition, SystemRelation, SystemScanContext } from '../relation.ts';
import type { CatalogReader } from '../system-relation.ts';
import { SUPERUSER_NAME, relkindOf, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from '../pg-catalog/oids.ts';

/** information_schema's yes_or_no. */
export function yesNo(b: boolean): string {
  return b ? 'YES' : 'NO';
}

/** table_type of a relation as information_schema.tables shows it. */
export function tableType(r: RelationDefinition | SystemRelation): string {
  if (r.kind === 'system') return r.schema === 'pg_catalog' && relkindOf(r) === 'r' ? 'BASE TABLE' : 'VIEW';
  return r.kind === 'table' ? 'BASE TABLE' : 'VIEW';
}

/** Every relation information_schema describes: system relations first, then user relations. */
export function allRelations(catalog: CatalogReader): (RelationDefinition | SystemRelation)[] {
  return [...catalog.systemRelations(), ...catalog.userRelations()];
}

export function isSchemata(): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.is_schemata,
    schema: 'information_schema',
    name: 'schemata',
    relkind: 'v',
    columns: [
      ['catalog_name', NAME],
      ['schema_name', NAME],
      ['schema_owner', NAME],
      ['default_character_set_catalog', NAME],
      ['default_character_set_schema', NAME],
      ['default_character_set_name', NAME],
      ['sql_path', STRING],
    ],
    rows: (ctx: SystemScanContext) =>
      ['information_schema', 'pg_catalog', 'public'].map((s): Row => [ctx.database, s, SUPERUSER_NAME, null, null, null, null]),
  });
}

export function isTables(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.is_tables,
    schema: 'information_schema',
    name: 'tables',
    relkind: 'v',
    columns: [
      ['table_catalog', NAME],
      ['table_schema', NAME],
      ['table_name', NAME],
      ['table_type', STRING],
      ['self_referencing_column_name', NAME],
      ['reference_generation', STRING],
      ['user_defined_type_catalog', NAME],
      ['user_defined_type_schema', NAME],
      ['user_defined_type_name', NAME],
      ['is_insertable_into', STRING],
      ['is_typed', STRING],
      ['commit_action', STRING],
    ],
    rows: (ctx) =>
      allRelations(catalog).map((r): Row => {
        const insertable = r.kind === 'table' && r.options['connector'] === undefined;
        return [ctx.database, r.schema, r.name, tableType(r), null, null, null, null, null, yesNo(insertable), 'NO', null];
      }),
  });
}

export function isViews(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.is_views,
    schema: 'information_schema',
    name: 'views',
    relkind: 'v',
    columns: [
      ['table_catalog', NAME],
      ['table_schema', NAME],
      ['table_name', NAME],
      ['view_definition', STRING],
      ['check_option', STRING],
      ['is_updatable', STRING],
      ['is_insertable_into', STRING],
      ['is_trigger_updatable', STRING],
      ['is_trigger_deletable', STRING],
      ['is_trigger_insertable_into', STRING],
    ],
    rows: (ctx) =>
      allRelations(catalog)
        .filter((r) => tableType(r) === 'VIEW')
        .map((r): Row => [
          ctx.database, r.schema, r.name, r.kind === 'view' || r.kind === 'materialized-view' ? r.query : null,
          'NONE', 'NO', 'NO', 'NO', 'NO', 'NO',
        ]),
  });
}
