import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/storage/store.ts';
import { Catalog } from './catalog.ts';
import type { Row, SqlType, Value } from './types.ts';
import { BIGINT, INT, PgOid, STRING, arrayOf, decimal, pgTypeOid, timestamp, varchar } from './types.ts';
import { PG_TYPES } from './pg-catalog/type-table.ts';
import { PG_PROCS } from './pg-catalog/proc-table.ts';

let dir = '';
let store: Store;
let catalog: Catalog;
const ctx = { user: 'alice', database: 'millrace' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-sysrel-'));
  store = await Store.open(dir);
  catalog = await Catalog.open(store);
  await catalog.create({
    kind: 'table',
    name: 'orders',
    schema: 'public',
    columns: [
      { name: 'id', type: BIGINT, nullable: false, kind: 'physical', comment: 'order id' },
      { name: 'customer', type: varchar(20), nullable: true, kind: 'physical' },
      { name: 'amount', type: decimal(10, 2), nullable: true, kind: 'physical' },
      { name: 'ts', type: timestamp(3), nullable: true, kind: 'physical' },
      { name: 'tags', type: arrayOf(STRING), nullable: true, kind: 'physical' },
      { name: 'doubled', type: decimal(11, 2), nullable: true, kind: 'computed', expr: 'amount * 2' },
    ],
    primaryKey: ['id'],
    partitionedBy: [],
    options: {},
    comment: 'all orders',
  });
  await catalog.create({ kind: 'view', name: 'v', schema: 'public', columns: [{ name: 'n', type: INT, nullable: true, kind: 'physical' }], query: 'SELECT 1 AS n' });
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Whether `v` is a valid runtime Value of `t` (catalog/types.ts). */
function valueFits(v: Value, t: SqlType): boolean {
  if (v === null) return true;
  switch (t.kind) {
    case 'BOOLEAN':
      return typeof v === 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return typeof v === 'number' && Number.isInteger(v);
    case 'BIGINT':
    case 'DECIMAL':
      return typeof v === 'bigint';
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return typeof v === 'number';
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'JSON':
    case 'UUID':
      return typeof v === 'string';
    case 'PG_CHAR':
      return typeof v === 'string' && v.length <= 1;
    case 'BYTES':
      return v instanceof Uint8Array;
    case 'ARRAY':
      return Array.isArray(v) && v.every((e) => valueFits(e as Value, t.element));
    default:
      return false;
  }
}

function rowsOf(schema: string, name: string): readonly Row[] {
  const rel = catalog.lookup([schema, name]);
  if (rel?.kind !== 'system') throw new Error(`${schema}.${name} is not a system relation`);
  return rel.rows(ctx);
}

function column(schema: string, name: string, col: string): (row: Row) => Value {
  const rel = catalog.lookup([schema, name])!;
  const i = rel.columns.findIndex((c) => c.name === col);
  if (i < 0) throw new Error(`no column ${col} in ${name}`);
  return (row) => row[i]!;
}

describe('system relations', () => {
  it('give every row one value per column, of the column type', () => {
    for (const rel of catalog.systemRelations()) {
      expect(rel.columns.every((c) => c.kind === 'physical')).toBe(true);
      for (const row of rel.rows(ctx)) {
        expect(row.length, `${rel.schema}.${rel.name}`).toBe(rel.columns.length);
        rel.columns.forEach((c, i) => {
          expect(valueFits(row[i]!, c.type), `${rel.schema}.${rel.name}.${c.name} = ${String(row[i])}`).toBe(true);
        });
      }
    }
  });

  it('include the relations psql, pgjdbc and BI tools query', () => {
    const names = [
      'pg_namespace', 'pg_class', 'pg_attribute', 'pg_type', 'pg_database', 'pg_roles', 'pg_user', 'pg_authid', 'pg_proc',
      'pg_description', 'pg_index', 'pg_constraint', 'pg_attrdef', 'pg_settings', 'pg_am', 'pg_inherits', 'pg_tablespace',
      'pg_collation', 'pg_extension', 'pg_policy', 'pg_trigger', 'pg_rewrite', 'pg_statistic_ext', 'pg_publication',
      'pg_publication_rel', 'pg_partitioned_table', 'pg_foreign_table', 'pg_enum', 'pg_range', 'pg_operator',
      'pg_available_extensions', 'pg_stat_activity', 'pg_locks', 'pg_tables', 'pg_views', 'pg_matviews', 'pg_indexes',
      'pg_stat_user_tables', 'pg_depend', 'pg_sequence', 'pg_language',
    ];
    for (const n of names) expect(catalog.lookup(['pg_catalog', n])?.kind, n).toBe('system');
    for (const n of ['tables', 'columns', 'schemata', 'views', 'key_column_usage', 'table_constraints', 'routines']) {
      expect(catalog.lookup(['information_schema', n])?.kind, n).toBe('system');
    }
  });

  it('list user relations, their primary key index and the system relations in pg_class', () => {
    const name = column('pg_catalog', 'pg_class', 'relname');
    const kind = column('pg_catalog', 'pg_class', 'relkind');
    const ns = column('pg_catalog', 'pg_class', 'relnamespace');
    const rows = rowsOf('pg_catalog', 'pg_class');
    const byName = new Map(rows.map((r) => [name(r), r]));
    expect(kind(byName.get('orders')!)).toBe('r');
    expect(ns(byName.get('orders')!)).toBe(2200);
    expect(kind(byName.get('v')!)).toBe('v');
    expect(kind(byName.get('orders_pkey')!)).toBe('i');
    expect(kind(byName.get('pg_class')!)).toBe('r');
    expect(kind(byName.get('pg_tables')!)).toBe('v');
    expect(ns(byName.get('columns')!)).toBe(13000);
    const oids = rows.map((r) => r[0]);
    expect(new Set(oids).size).toBe(oids.length);
  });

  it('describe user columns in pg_attribute with Postgres type oids and typmods', () => {
    const orders = catalog.lookup(['orders'])!;
    const rows = rowsOf('pg_catalog', 'pg_attribute').filter((r) => r[0] === orders.id);
    const get = (col: string) => column('pg_catalog', 'pg_attribute', col);
    expect(rows.map(get('attname'))).toEqual(['id', 'customer', 'amount', 'ts', 'tags', 'doubled']);
    expect(rows.map(get('attnum'))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows.map(get('atttypid'))).toEqual([PgOid.int8, PgOid.varchar, PgOid.numeric, PgOid.timestamp, PgOid._text, PgOid.numeric]);
    expect(rows.map(get('atttypmod'))).toEqual([-1, 24, ((10 << 16) | 2) + 4, 3, -1, ((11 << 16) | 2) + 4]);
    expect(rows.map(get('attnotnull'))).toEqual([true, false, false, false, false, false]);
    expect(rows.map(get('attgenerated'))).toEqual(['', '', '', '', '', 's']);
    expect(rowsOf('pg_catalog', 'pg_attrdef').filter((r) => r[1] === orders.id).map((r) => [r[2], r[3]])).toEqual([[6, 'amount * 2']]);
  });

  it('report the primary key in pg_index, pg_constraint and information_schema', () => {
    const orders = catalog.lookup(['orders'])!;
    const con = rowsOf('pg_catalog', 'pg_constraint');
    expect(con.map((r) => [r[1], r[3], r[7], r[18]])).toEqual([['orders_pkey', 'p', orders.id, [1]]]);
    const idx = rowsOf('pg_catalog', 'pg_index');
    expect(idx.map((r) => [r[1], r[6], r[15]])).toEqual([[orders.id, true, [1]]]);
    expect(rowsOf('information_schema', 'key_column_usage').map((r) => [r[2], r[5], r[6], r[7]])).toEqual([['orders_pkey', 'orders', 'id', 1]]);
    expect(rowsOf('information_schema', 'table_constraints').map((r) => r[6])).toEqual(['PRIMARY KEY']);
  });

  it('carry table and column comments in pg_description', () => {
    const orders = catalog.lookup(['orders'])!;
    const rows = rowsOf('pg_catalog', 'pg_description').filter((r) => r[0] === orders.id);
    expect(rows).toEqual([[orders.id, 1259, 0, 'all orders'], [orders.id, 1259, 1, 'order id']]);
  });

  it('have a pg_type row for every type oid a column can have, and for arrays of them', () => {
    const oids = new Set(rowsOf('pg_catalog', 'pg_type').map((r) => r[0]));
    for (const oid of Object.values(PgOid)) expect(oids.has(oid), `oid ${oid}`).toBe(true);
    for (const t of [BIGINT, INT, STRING, varchar(3), decimal(5, 1), timestamp(3), arrayOf(INT)]) expect(oids.has(pgTypeOid(t))).toBe(true);
    const typname = column('pg_catalog', 'pg_type', 'typname');
    const typarray = column('pg_catalog', 'pg_type', 'typarray');
    const int4 = rowsOf('pg_catalog', 'pg_type').find((r) => typname(r) === 'int4')!;
    expect(typarray(int4)).toBe(PgOid._int4);
  });

  it('name type I/O functions that pg_proc lists, with unique oids', () => {
    const procOids = PG_PROCS.map((p) => p.oid);
    expect(new Set(procOids).size).toBe(procOids.length);
    const procNames = PG_PROCS.map((p) => p.name);
    expect(new Set(procNames).size).toBe(procNames.length);
    const typinput = column('pg_catalog', 'pg_type', 'typinput');
    const known = new Set(procOids);
    for (const r of rowsOf('pg_catalog', 'pg_type')) expect(known.has(typinput(r) as number)).toBe(true);
    const typeOids = PG_TYPES.map((t) => t.oid);
    expect(new Set(typeOids).size).toBe(typeOids.length);
  });

  it('list information_schema.columns with Postgres data types', () => {
    const rows = rowsOf('information_schema', 'columns').filter((r) => r[2] === 'orders');
    expect(rows.map((r) => [r[3], r[4], r[6], r[7], r[8], r[10], r[12], r[27]])).toEqual([
      ['id', 1, 'NO', 'bigint', null, 64, 0, 'int8'],
      ['customer', 2, 'YES', 'character varying', 20, null, null, 'varchar'],
      ['amount', 3, 'YES', 'numeric', null, 10, 2, 'numeric'],
      ['ts', 4, 'YES', 'timestamp without time zone', null, null, null, 'timestamp'],
      ['tags', 5, 'YES', 'ARRAY', null, null, null, '_text'],
      ['doubled', 6, 'YES', 'numeric', null, 11, 2, 'numeric'],
    ]);
    const tables = rowsOf('information_schema', 'tables').filter((r) => r[1] === 'public');
    expect(tables.map((r) => [r[2], r[3]])).toEqual([['orders', 'BASE TABLE'], ['v', 'VIEW']]);
  });

  it('show the connected user and the superuser as roles', () => {
    expect(rowsOf('pg_catalog', 'pg_roles').map((r) => [r[0], r[12]])).toEqual([['millrace', 10], ['alice', 16383]]);
    expect(rowsOf('pg_catalog', 'pg_database').map((r) => [r[1], r[3]])).toEqual([['millrace', 6]]);
  });
});
