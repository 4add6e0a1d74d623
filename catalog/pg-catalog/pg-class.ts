/**
 * pg_catalog.pg_class: every relation: user tables ('r'), views ('v'),
 * materialized views ('m'), the primary key index of each keyed table ('i'),
 * and the system relations themselves ('r' for catalog tables, 'v' for views).
 *
 * relhasindex is true for keyed tables and materialized views: psql's \d then
 * lists the primary key index (pg_index, pg_get_indexdef and
 * pg_get_constraintdef describe it). relhasrules is true for views and
 * materialized views, which Postgres implements with an ON SELECT rule.
 */
import type { Row } from '../types.ts';
import { BOOLEAN, FLOAT, INT, NAME, OID, PG_CHAR, SMALLINT, STRING, arrayOf } from '../types.ts';
import type { CatalogReader } from '../system-relation.ts';
import { Role, namespaceOid, relkindOf, systemRelation, type SystemRelationWithKind } from '../system-relation.ts';
import { AM_BTREE, AM_HEAP, SystemOid } from './oids.ts';

export const PG_CLASS_COLUMNS = [
  ['oid', OID],
  ['relname', NAME],
  ['relnamespace', OID],
  ['reltype', OID],
  ['reloftype', OID],
  ['relowner', OID],
  ['relam', OID],
  ['relfilenode', OID],
  ['reltablespace', OID],
  ['relpages', INT],
  ['reltuples', FLOAT],
  ['relallvisible', INT],
  ['reltoastrelid', OID],
  ['relhasindex', BOOLEAN],
  ['relisshared', BOOLEAN],
  ['relpersistence', PG_CHAR],
  ['relkind', PG_CHAR],
  ['relnatts', SMALLINT],
  ['relchecks', SMALLINT],
  ['relhasrules', BOOLEAN],
  ['relhastriggers', BOOLEAN],
  ['relhassubclass', BOOLEAN],
  ['relrowsecurity', BOOLEAN],
  ['relforcerowsecurity', BOOLEAN],
  ['relispopulated', BOOLEAN],
  ['relreplident', PG_CHAR],
  ['relispartition', BOOLEAN],
  ['relrewrite', OID],
  ['relfrozenxid', OID],
  ['relminmxid', OID],
  ['relacl', arrayOf(STRING)],
  ['reloptions', arrayOf(STRING)],
  ['relpartbound', STRING],
] as const;

function classRow(oid: number, name: string, namespace: number, relkind: string, natts: number, am: number, shared = false, hasIndex = false): Row {
  const isTable = relkind === 'r' || relkind === 'm';
  return [
    oid,
    name,
    namespace,
    0,
    0,
    Role.SUPERUSER,
    am,
    relkind === 'v' ? 0 : oid,
    0,
    0,
    -1,
    0,
    0,
    hasIndex,
    shared,
    'p',
    relkind,
    natts,
    0,
    relkind === 'v' || relkind === 'm',
    false,
    false,
    false,
    false,
    true,
    isTable ? 'd' : 'n',
    false,
    0,
    0,
    0,
    null,
    null,
    null,
  ];
}

const SHARED = new Set(['pg_authid', 'pg_auth_members', 'pg_database', 'pg_tablespace', 'pg_shdescription']);

export function pgClass(catalog: CatalogReader): SystemRelationWithKind {
  return systemRelation({
    id: SystemOid.pg_class,
    schema: 'pg_catalog',
    name: 'pg_class',
    columns: PG_CLASS_COLUMNS,
    rows: () => {
      const rows: Row[] = [];
      for (const r of catalog.systemRelations()) {
        const kind = relkindOf(r);
        rows.push(classRow(r.id, r.name, namespaceOid(r.schema), kind, r.columns.length, kind === 'v' ? 0 : AM_HEAP, SHARED.has(r.name)));
      }
      for (const r of catalog.userRelations()) {
        const kind = r.kind === 'table' ? 'r' : r.kind === 'view' ? 'v' : 'm';
        const pk = r.kind === 'view' ? undefined : catalog.primaryKeyOids(r.id);
        rows.push(classRow(r.id, r.name, namespaceOid(r.schema), kind, r.columns.length, kind === 'v' ? 0 : AM_HEAP, false, pk !== undefined));
        if (pk !== undefined && r.kind !== 'view') {
          rows.push(classRow(pk.index, `${r.name}_pkey`, namespaceOid(r.schema), 'i', r.primaryKey.length, AM_BTREE));
        }
      }
      return rows;
    },
  });
}
