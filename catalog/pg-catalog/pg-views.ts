/**
 * The listing views pg_tables, pg_views, pg_matviews and pg_indexes, over
 * user and system relations, owned by the superuser.
 */
import type { Row } from '../types.ts';
import { BOOLEAN, NAME, STRING } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { SUPERUSER_NAME, relkindOf, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { SystemOid } from './oids.ts';

export function pgTables(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_tables,
    schema: 'pg_catalog',
    name: 'pg_tables',
    relkind: 'v',
    columns: [
      ['schemaname', NAME],
      ['tablename', NAME],
      ['tableowner', NAME],
      ['tablespace', NAME],
      ['hasindexes', BOOLEAN],
      ['hasrules', BOOLEAN],
      ['hastriggers', BOOLEAN],
      ['rowsecurity', BOOLEAN],
    ],
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.systemRelations()) {
        if (relkindOf(r) === 'r') rows.push([r.schema, r.name, SUPERUSER_NAME, null, false, false, false, false]);
      }
      for (const r of catalog.userRelations()) {
        if (r.kind === 'table') rows.push([r.schema, r.name, SUPERUSER_NAME, null, r.primaryKey.length > 0, false, false, false]);
      }
      return rows;
    },
  });
}

export function pgViews(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_views,
    schema: 'pg_catalog',
    name: 'pg_views',
    relkind: 'v',
    columns: [
      ['schemaname', NAME],
      ['viewname', NAME],
      ['viewowner', NAME],
      ['definition', STRING],
    ],
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.systemRelations()) {
        if (relkindOf(r) === 'v') rows.push([r.schema, r.name, SUPERUSER_NAME, null]);
      }
      for (const r of catalog.userRelations()) {
        if (r.kind === 'view') rows.push([r.schema, r.name, SUPERUSER_NAME, r.query]);
      }
      return rows;
    },
  });
}

export function pgMatviews(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_matviews,
    schema: 'pg_catalog',
    name: 'pg_matviews',
    relkind: 'v',
    columns: [
      ['schemaname', NAME],
      ['matviewname', NAME],
      ['matviewowner', NAME],
      ['tablespace', NAME],
      ['hasindexes', BOOLEAN],
      ['ispopulated', BOOLEAN],
      ['definition', STRING],
    ],
    rows: () =>
      catalog
        .userRelations()
        .filter((r) => r.kind === 'materialized-view')
        .map((r): Row => [r.schema, r.name, SUPERUSER_NAME, null, catalog.primaryKeyOids(r.id) !== undefined, true, r.kind === 'materialized-view' ? r.query : null]),
  });
}

/** Quotes an identifier when Postgres would (quote_ident). */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function pgIndexes(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_indexes,
    schema: 'pg_catalog',
    name: 'pg_indexes',
    relkind: 'v',
    columns: [
      ['schemaname', NAME],
      ['tablename', NAME],
      ['indexname', NAME],
      ['tablespace', NAME],
      ['indexdef', STRING],
    ],
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.userRelations()) {
        if (r.kind === 'view' || catalog.primaryKeyOids(r.id) === undefined) continue;
        const index = `${r.name}_pkey`;
        const def = `CREATE UNIQUE INDEX ${quoteIdent(index)} ON ${r.schema}.${quoteIdent(r.name)} USING btree (${r.primaryKey.map(quoteIdent).join(', ')})`;
        rows.push([r.schema, r.name, index, null, def]);
      }
      return rows;
    },
  });
}
