/**
 * information_schema.columns: one row per column of every relation, with
 * data_type as Postgres spells it ('integer', 'character varying', 'ARRAY',
 * 'timestamp without time zone'), udt_name the pg_type name, and the
 * length / precision facts of the type.
 */
import type { Row, SqlType } from '../types.ts';
import { INT, MAX_LENGTH, NAME, STRING, pgTypeOid } from '../types.ts';
import type { ColumnDefinition } from '../relation.ts';
import type { CatalogReader } from '../system-relation.ts';
import { systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { pgTypeByOid } from '../pg-catalog/type-table.ts';
import { SystemOid } from '../pg-catalog/oids.ts';
import { allRelations, yesNo } from './is-tables.ts';

/** Length and precision facts of a type: [char max length, octet length, numeric precision, radix, scale, datetime precision]. */
export function typeFacts(t: SqlType): [number | null, number | null, number | null, number | null, number | null, number | null] {
  switch (t.kind) {
    case 'VARCHAR':
      return t.length === MAX_LENGTH ? [null, 1073741824, null, null, null, null] : [t.length, t.length * 4, null, null, null, null];
    case 'CHAR':
      return [t.length, t.length * 4, null, null, null, null];
    case 'TINYINT':
    case 'SMALLINT':
      return [null, null, 16, 2, 0, null];
    case 'INT':
      return [null, null, 32, 2, 0, null];
    case 'BIGINT':
      return [null, null, 64, 2, 0, null];
    case 'FLOAT':
      return [null, null, 24, 2, null, null];
    case 'DOUBLE':
      return [null, null, 53, 2, null, null];
    case 'DECIMAL':
      return [null, null, t.precision, 10, t.scale, null];
    case 'NUMERIC':
      return [null, null, null, 10, null, null];
    case 'DATE':
      return [null, null, null, null, null, 0];
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return [null, null, null, null, null, t.precision];
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return [null, null, null, null, null, 6];
    default:
      return [null, null, null, null, null, null];
  }
}

/** data_type: 'ARRAY' for arrays, 'USER-DEFINED' for composite types, else the type's SQL name. */
export function dataType(t: SqlType): string {
  if (t.kind === 'ARRAY') return 'ARRAY';
  if (t.kind === 'ROW' || t.kind === 'MAP') return t.kind === 'ROW' ? 'record' : 'json';
  return pgTypeByOid(pgTypeOid(t))?.display ?? 'text';
}

/**
 * `notNull`: false for views and materialized views, whose columns PostgreSQL never records as NOT NULL
 * (attnotnull is false for every matview column). This keeps a materialized view's rows here identical
 * to the ones Metabase's describe-fields builds from pg_attribute for relkind 'm' (its sync collects
 * both into a set, so identical rows collapse into one).
 */
function columnRow(database: string, schema: string, table: string, c: ColumnDefinition, position: number, notNull: boolean): Row {
  const [charLen, octetLen, precision, radix, scale, dtPrecision] = typeFacts(c.type);
  const udt = pgTypeByOid(pgTypeOid(c.type))?.name ?? 'text';
  const computed = c.kind === 'computed';
  return [
    database, schema, table, c.name, position, null, yesNo(c.nullable || !notNull), dataType(c.type),
    charLen, octetLen, precision, radix, scale, dtPrecision, null, null,
    null, null, null, null, null, null,
    null, null, null,
    database, 'pg_catalog', udt,
    null, null, null, null, String(position), 'NO',
    'NO', null, null, null, null, null, 'NO',
    computed ? 'ALWAYS' : 'NEVER', computed ? (c.expr ?? null) : null, yesNo(!computed),
  ];
}

export function isColumns(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.is_columns,
    schema: 'information_schema',
    name: 'columns',
    relkind: 'v',
    columns: [
      ['table_catalog', NAME],
      ['table_schema', NAME],
      ['table_name', NAME],
      ['column_name', NAME],
      ['ordinal_position', INT],
      ['column_default', STRING],
      ['is_nullable', STRING],
      ['data_type', STRING],
      ['character_maximum_length', INT],
      ['character_octet_length', INT],
      ['numeric_precision', INT],
      ['numeric_precision_radix', INT],
      ['numeric_scale', INT],
      ['datetime_precision', INT],
      ['interval_type', STRING],
      ['interval_precision', INT],
      ['character_set_catalog', NAME],
      ['character_set_schema', NAME],
      ['character_set_name', NAME],
      ['collation_catalog', NAME],
      ['collation_schema', NAME],
      ['collation_name', NAME],
      ['domain_catalog', NAME],
      ['domain_schema', NAME],
      ['domain_name', NAME],
      ['udt_catalog', NAME],
      ['udt_schema', NAME],
      ['udt_name', NAME],
      ['scope_catalog', NAME],
      ['scope_schema', NAME],
      ['scope_name', NAME],
      ['maximum_cardinality', INT],
      ['dtd_identifier', NAME],
      ['is_self_referencing', STRING],
      ['is_identity', STRING],
      ['identity_generation', STRING],
      ['identity_start', STRING],
      ['identity_increment', STRING],
      ['identity_maximum', STRING],
      ['identity_minimum', STRING],
      ['identity_cycle', STRING],
      ['is_generated', STRING],
      ['generation_expression', STRING],
      ['is_updatable', STRING],
    ],
    rows: (ctx) => {
      const rows: Row[] = [];
      for (const r of allRelations(catalog)) {
        const notNull = r.kind === 'table' || r.kind === 'system';
        r.columns.forEach((c, i) => rows.push(columnRow(ctx.database, r.schema, r.name, c, i + 1, notNull)));
      }
      return rows;
    },
  });
}
