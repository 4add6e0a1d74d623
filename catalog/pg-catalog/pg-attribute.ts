/**
 * pg_catalog.pg_attribute: one row per column of every user and system
 * relation, attnum from 1 in column order. Computed columns are generated
 * columns (attgenerated 's', atthasdef, their expression in pg_attrdef).
 * A primary key index has one row per key column, attnum in key order.
 */
import type { Row, SqlType } from '../types.ts';
import { BOOLEAN, INT, NAME, OID, PG_CHAR, SMALLINT, STRING, arrayOf, pgTypeLength, pgTypeOid, pgTypmod } from '../types.ts';
import type { ColumnDefinition } from '../relation.ts';
import type { CatalogReader } from '../system-relation.ts';
import { systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { pgTypeByOid } from './type-table.ts';
import { SystemOid } from './oids.ts';

/** atttypmod: an array column carries its element's modifier, as in Postgres. */
export function attTypmod(t: SqlType): number {
  return t.kind === 'ARRAY' ? attTypmod(t.element) : pgTypmod(t);
}

/**
 * `notNull`: false for a view or materialized view, whose columns PostgreSQL never records as NOT NULL;
 * a key index's rows keep the key columns' NOT NULL.
 */
function attributeRow(relid: number, c: ColumnDefinition, attnum: number, notNull = true): Row {
  const typeOid = pgTypeOid(c.type);
  const info = pgTypeByOid(typeOid);
  const computed = c.kind === 'computed';
  return [
    relid,
    c.name,
    typeOid,
    -1,
    pgTypeLength(c.type),
    attnum,
    c.type.kind === 'ARRAY' ? 1 : 0,
    -1,
    attTypmod(c.type),
    info?.byval ?? false,
    info?.align ?? 'i',
    info?.storage ?? 'x',
    '',
    notNull && !c.nullable,
    computed,
    false,
    '',
    computed ? 's' : '',
    false,
    true,
    0,
    info?.collation ?? 0,
    null,
    null,
    null,
  ];
}

export function pgAttribute(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_attribute,
    schema: 'pg_catalog',
    name: 'pg_attribute',
    columns: [
      ['attrelid', OID],
      ['attname', NAME],
      ['atttypid', OID],
      ['attstattarget', INT],
      ['attlen', SMALLINT],
      ['attnum', SMALLINT],
      ['attndims', INT],
      ['attcacheoff', INT],
      ['atttypmod', INT],
      ['attbyval', BOOLEAN],
      ['attalign', PG_CHAR],
      ['attstorage', PG_CHAR],
      ['attcompression', PG_CHAR],
      ['attnotnull', BOOLEAN],
      ['atthasdef', BOOLEAN],
      ['atthasmissing', BOOLEAN],
      ['attidentity', PG_CHAR],
      ['attgenerated', PG_CHAR],
      ['attisdropped', BOOLEAN],
      ['attislocal', BOOLEAN],
      ['attinhcount', INT],
      ['attcollation', OID],
      ['attacl', arrayOf(STRING)],
      ['attoptions', arrayOf(STRING)],
      ['attfdwoptions', arrayOf(STRING)],
    ],
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.systemRelations()) r.columns.forEach((c, i) => rows.push(attributeRow(r.id, c, i + 1)));
      for (const r of catalog.userRelations()) {
        r.columns.forEach((c, i) => rows.push(attributeRow(r.id, c, i + 1, r.kind === 'table')));
        const pk = r.kind === 'view' ? undefined : catalog.primaryKeyOids(r.id);
        if (pk === undefined || r.kind === 'view') continue;
        r.primaryKey.forEach((name, i) => {
          const c = r.columns.find((x) => x.name === name);
          if (c !== undefined) rows.push(attributeRow(pk.index, c, i + 1));
        });
      }
      return rows;
    },
  });
}
