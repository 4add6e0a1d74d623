/**
 * Materialized views show up where clients look for them: pg_class (relkind
 * 'm'), pg_matviews, pg_attribute, pg_index / pg_indexes for their key, the
 * rows psql's \dm query selects, and information_schema (as VIEW).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/storage/store.ts';
import { Catalog } from './catalog.ts';
import type { RelationDefinition } from './relation.ts';
import type { Row, Value } from './types.ts';
import { BIGINT, INT, PgOid, STRING, varchar } from './types.ts';

let dir = '';
let store: Store;
let catalog: Catalog;
let mv: RelationDefinition;
let bare: RelationDefinition;
const ctx = { user: 'alice', database: 'millrace' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-matview-'));
  store = await Store.open(dir);
  catalog = await Catalog.open(store);
  await catalog.create({
    kind: 'table',
    name: 'orders',
    schema: 'public',
    columns: [
      { name: 'id', type: BIGINT, nullable: false, kind: 'physical' },
      { name: 'customer', type: varchar(20), nullable: true, kind: 'physical' },
    ],
    primaryKey: ['id'],
    partitionedBy: [],
    options: {},
  });
  mv = await catalog.create({
    kind: 'materialized-view',
    name: 'per_customer',
    schema: 'public',
    columns: [
      { name: 'customer', type: varchar(20), nullable: false, kind: 'physical' },
      { name: 'n', type: BIGINT, nullable: false, kind: 'physical', comment: 'orders so far' },
    ],
    query: 'SELECT customer, count(*) AS n FROM orders GROUP BY customer',
    primaryKey: ['customer'],
    comment: 'orders per customer',
  });
  bare = await catalog.create({
    kind: 'materialized-view',
    name: 'names',
    schema: 'public',
    columns: [{ name: 'customer', type: STRING, nullable: true, kind: 'physical' }],
    query: 'SELECT customer FROM orders',
    primaryKey: [],
  });
  await catalog.create({ kind: 'view', name: 'v', schema: 'public', columns: [{ name: 'x', type: INT, nullable: true, kind: 'physical' }], query: 'SELECT 1 AS x' });
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function rowsOf(schema: string, name: string): readonly Row[] {
  const rel = catalog.lookup([schema, name]);
  if (rel?.kind !== 'system') throw new Error(`${schema}.${name} is not a system relation`);
  return rel.rows(ctx);
}

/** Reads rows of a system relation as objects of the named columns. */
function select(schema: string, name: string, cols: readonly string[]): Record<string, Value>[] {
  const rel = catalog.lookup([schema, name])!;
  const idx = cols.map((c) => {
    const i = rel.columns.findIndex((col) => col.name === c);
    if (i < 0) throw new Error(`no column ${c} in ${name}`);
    return i;
  });
  return rowsOf(schema, name).map((r) => Object.fromEntries(cols.map((c, k) => [c, r[idx[k]!]!])));
}

describe('materialized views in the system catalogs', () => {
  it('are relkind m in pg_class, with their key index and an ON SELECT rule', () => {
    const rows = select('pg_catalog', 'pg_class', ['oid', 'relname', 'relnamespace', 'relkind', 'relnatts', 'relhasindex', 'relhasrules', 'relam', 'relispopulated']);
    const by = new Map(rows.map((r) => [r['relname'], r]));
    expect(by.get('per_customer')).toMatchObject({ oid: mv.id, relnamespace: 2200, relkind: 'm', relnatts: 2, relhasindex: true, relhasrules: true, relispopulated: true });
    expect(by.get('per_customer')!['relam']).not.toBe(0);
    expect(by.get('names')).toMatchObject({ oid: bare.id, relkind: 'm', relnatts: 1, relhasindex: false, relhasrules: true });
    expect(by.get('per_customer_pkey')).toMatchObject({ relkind: 'i', relnatts: 1 });
    expect(by.get('orders')).toMatchObject({ relkind: 'r', relhasrules: false });
    expect(by.get('v')).toMatchObject({ relkind: 'v', relhasindex: false });
  });

  it('are what the rows of psql\'s \\dm query select', () => {
    // \dm: pg_class c LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
    //      WHERE c.relkind IN ('m','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast'
    //      AND n.nspname <> 'information_schema' ORDER BY 1, 2
    const ns = new Map(select('pg_catalog', 'pg_namespace', ['oid', 'nspname']).map((r) => [r['oid'], r['nspname'] as string]));
    const listed = select('pg_catalog', 'pg_class', ['relname', 'relnamespace', 'relkind'])
      .filter((c) => c['relkind'] === 'm')
      .map((c) => [ns.get(c['relnamespace']), c['relname']] as [string | undefined, string])
      .filter(([n]) => n !== undefined && n !== 'pg_catalog' && !/^pg_toast/.test(n) && n !== 'information_schema')
      .sort((a, b) => (a[0] + '.' + a[1]).localeCompare(b[0] + '.' + b[1]));
    expect(listed).toEqual([['public', 'names'], ['public', 'per_customer']]);
  });

  it('are listed by pg_matviews and not by pg_views or pg_tables', () => {
    expect(select('pg_catalog', 'pg_matviews', ['schemaname', 'matviewname', 'matviewowner', 'hasindexes', 'ispopulated', 'definition'])).toEqual([
      { schemaname: 'public', matviewname: 'per_customer', matviewowner: 'millrace', hasindexes: true, ispopulated: true, definition: 'SELECT customer, count(*) AS n FROM orders GROUP BY customer' },
      { schemaname: 'public', matviewname: 'names', matviewowner: 'millrace', hasindexes: false, ispopulated: true, definition: 'SELECT customer FROM orders' },
    ]);
    expect(select('pg_catalog', 'pg_views', ['schemaname', 'viewname']).filter((r) => r['schemaname'] === 'public')).toEqual([{ schemaname: 'public', viewname: 'v' }]);
    expect(select('pg_catalog', 'pg_tables', ['schemaname', 'tablename']).filter((r) => r['schemaname'] === 'public')).toEqual([{ schemaname: 'public', tablename: 'orders' }]);
  });

  it('have pg_attribute rows for their columns, none NOT NULL (as in PostgreSQL)', () => {
    const rows = select('pg_catalog', 'pg_attribute', ['attrelid', 'attname', 'attnum', 'atttypid', 'atttypmod', 'attnotnull', 'attisdropped']).filter((r) => r['attrelid'] === mv.id);
    expect(rows).toEqual([
      { attrelid: mv.id, attname: 'customer', attnum: 1, atttypid: PgOid.varchar, atttypmod: 24, attnotnull: false, attisdropped: false },
      { attrelid: mv.id, attname: 'n', attnum: 2, atttypid: PgOid.int8, atttypmod: -1, attnotnull: false, attisdropped: false },
    ]);
    expect(select('pg_catalog', 'pg_attribute', ['attrelid', 'attname']).filter((r) => r['attrelid'] === bare.id)).toEqual([{ attrelid: bare.id, attname: 'customer' }]);
  });

  it('describe their key as a unique index in pg_index and pg_indexes, with no constraint', () => {
    expect(select('pg_catalog', 'pg_index', ['indrelid', 'indisunique', 'indisprimary', 'indkey']).filter((r) => r['indrelid'] === mv.id)).toEqual([
      { indrelid: mv.id, indisunique: true, indisprimary: false, indkey: [1] },
    ]);
    expect(select('pg_catalog', 'pg_constraint', ['conrelid']).filter((r) => r['conrelid'] === mv.id)).toEqual([]);
    expect(select('information_schema', 'table_constraints', ['table_name', 'constraint_type']).filter((r) => r['table_name'] === 'per_customer')).toEqual([]);
    expect(select('information_schema', 'key_column_usage', ['table_name', 'column_name']).map((r) => r['table_name'])).toEqual(['orders']);
    expect(select('pg_catalog', 'pg_indexes', ['tablename', 'indexname', 'indexdef']).filter((r) => r['tablename'] === 'per_customer')).toEqual([
      { tablename: 'per_customer', indexname: 'per_customer_pkey', indexdef: 'CREATE UNIQUE INDEX per_customer_pkey ON public.per_customer USING btree (customer)' },
    ]);
  });

  it('carry their comments in pg_description', () => {
    expect(rowsOf('pg_catalog', 'pg_description').filter((r) => r[0] === mv.id)).toEqual([[mv.id, 1259, 0, 'orders per customer'], [mv.id, 1259, 2, 'orders so far']]);
  });

  it('are VIEWs in information_schema.tables / views, with their columns, all nullable', () => {
    const tables = select('information_schema', 'tables', ['table_schema', 'table_name', 'table_type']).filter((r) => r['table_schema'] === 'public');
    expect(tables.map((r) => [r['table_name'], r['table_type']])).toEqual([['orders', 'BASE TABLE'], ['per_customer', 'VIEW'], ['names', 'VIEW'], ['v', 'VIEW']]);
    const views = select('information_schema', 'views', ['table_schema', 'table_name', 'view_definition']).filter((r) => r['table_schema'] === 'public');
    expect(views.map((r) => [r['table_name'], r['view_definition']])).toEqual([
      ['per_customer', 'SELECT customer, count(*) AS n FROM orders GROUP BY customer'],
      ['names', 'SELECT customer FROM orders'],
      ['v', 'SELECT 1 AS x'],
    ]);
    const cols = select('information_schema', 'columns', ['table_name', 'column_name', 'ordinal_position', 'is_nullable', 'data_type']).filter((r) => r['table_name'] === 'per_customer');
    expect(cols).toEqual([
      { table_name: 'per_customer', column_name: 'customer', ordinal_position: 1, is_nullable: 'YES', data_type: 'character varying' },
      { table_name: 'per_customer', column_name: 'n', ordinal_position: 2, is_nullable: 'YES', data_type: 'bigint' },
    ]);
  });
});
