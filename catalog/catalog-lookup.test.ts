import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/storage/store.ts';
import { Catalog } from './catalog.ts';
import { catalogLookup, splitQualifiedName } from './catalog-lookup.ts';
import type { CatalogLookup } from '../src/functions/eval-context.ts';
import { INT, NUMERIC, PgOid, STRING, arrayOf, decimal, pgTypeOid, pgTypmod, timestamp, timestampLtz, varchar, char } from './types.ts';

let dir = '';
let store: Store;
let lookup: CatalogLookup;
let tableId = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-lookup-'));
  store = await Store.open(dir);
  const catalog = await Catalog.open(store);
  lookup = catalogLookup(catalog);
  const t = await catalog.create({
    kind: 'table',
    name: 'My Table',
    schema: 'public',
    columns: [{ name: 'x', type: INT, nullable: true, kind: 'physical' }],
    primaryKey: [],
    partitionedBy: [],
    options: {},
  });
  tableId = t.id;
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('catalogLookup', () => {
  it('resolves relation names like regclass does', () => {
    expect(lookup.relationOidByName('pg_class')).toBe(1259);
    expect(lookup.relationOidByName('PG_CATALOG.PG_CLASS')).toBe(1259);
    expect(lookup.relationOidByName('"My Table"')).toBe(tableId);
    expect(lookup.relationOidByName('public."My Table"')).toBe(tableId);
    expect(lookup.relationOidByName('my table')).toBeUndefined();
    expect(lookup.relationOidByName('information_schema.columns')).toBeDefined();
    expect(lookup.relationById(tableId)?.name).toBe('My Table');
    expect(lookup.relationById(1259)?.name).toBe('pg_class');
    expect(lookup.relationById(1)).toBeUndefined();
  });

  it('splits qualified names', () => {
    expect(splitQualifiedName('a.B."C.d"')).toEqual(['a', 'b', 'C.d']);
    expect(splitQualifiedName('"a""b"')).toEqual(['a"b']);
    expect(splitQualifiedName('a..b')).toBeUndefined();
    expect(splitQualifiedName('"open')).toBeUndefined();
  });

  it('prints types as format_type does', () => {
    const f = (t: Parameters<typeof pgTypeOid>[0]) => lookup.typeNameByOid(pgTypeOid(t), pgTypmod(t));
    expect(f(INT)).toBe('integer');
    expect(f(STRING)).toBe('text');
    expect(f(varchar(20))).toBe('character varying(20)');
    expect(f(char(3))).toBe('character(3)');
    expect(f(decimal(10, 2))).toBe('numeric(10,2)');
    expect(f(NUMERIC)).toBe('numeric');
    expect(f(timestamp(3))).toBe('timestamp(3) without time zone');
    expect(f(timestampLtz(6))).toBe('timestamp(6) with time zone');
    expect(f(arrayOf(INT))).toBe('integer[]');
    expect(lookup.typeNameByOid(PgOid._varchar, 9)).toBe('character varying(5)[]');
    expect(lookup.typeNameByOid(PgOid.timestamptz, -1)).toBe('timestamp with time zone');
    expect(lookup.typeNameByOid(PgOid.char, -1)).toBe('"char"');
    expect(lookup.typeNameByOid(PgOid.float8, -1)).toBe('double precision');
    expect(lookup.typeNameByOid(99999, -1)).toBeUndefined();
  });

  it('reads type names in SQL and typname spellings', () => {
    expect(lookup.typeOidByName('int4')).toBe(23);
    expect(lookup.typeOidByName('integer')).toBe(23);
    expect(lookup.typeOidByName('pg_catalog.int8')).toBe(20);
    expect(lookup.typeOidByName('character varying(20)')).toBe(1043);
    expect(lookup.typeOidByName('text[]')).toBe(1009);
    expect(lookup.typeOidByName('_int4')).toBe(1007);
    expect(lookup.typeOidByName('"char"')).toBe(18);
    expect(lookup.typeOidByName('char')).toBe(1042);
    expect(lookup.typeOidByName('timestamp(3) with time zone')).toBe(1184);
    expect(lookup.typeOidByName('Double Precision')).toBe(701);
    expect(lookup.typeOidByName('no_such_type')).toBeUndefined();
  });

  it('maps regproc names and oids both ways', () => {
    expect(lookup.functionOidByName('array_in')).toBe(750);
    expect(lookup.functionOidByName('pg_catalog.array_in')).toBe(750);
    expect(lookup.functionNameByOid(750)).toBe('array_in');
    expect(lookup.functionOidByName('int4in')).toBe(42);
    expect(lookup.functionOidByName('nope')).toBeUndefined();
  });

  it('resolves regprocedure signatures on argument types', () => {
    const upper = lookup.functionOidByName('upper');
    expect(upper).toBeDefined();
    expect(lookup.functionOidByName('upper(text)')).toBe(upper);
    expect(lookup.functionOidByName('pg_catalog.upper( text )')).toBe(upper);
    expect(lookup.functionOidByName('upper(integer)')).toBeUndefined();
    expect(lookup.functionOidByName('substr(text, int4, integer)')).toBe(lookup.functionOidByName('substr'));
    expect(lookup.functionOidByName('version()')).toBe(lookup.functionOidByName('version'));
    expect(lookup.functionOidByName('int4in(cstring)')).toBe(42);
    expect(lookup.functionOidByName('upper(no_such_type)')).toBeUndefined();
  });

  it('gives the SqlType of a parameter type oid', () => {
    expect(lookup.sqlTypeByOid(23)).toEqual(INT);
    expect(lookup.sqlTypeByOid(1043)).toEqual(STRING);
    expect(lookup.sqlTypeByOid(1007)).toEqual(arrayOf(INT));
    expect(lookup.sqlTypeByOid(1114)?.kind).toBe('TIMESTAMP');
    expect(lookup.sqlTypeByOid(1700)).toEqual(NUMERIC);
    expect(lookup.sqlTypeByOid(705)).toBeUndefined();
  });
});
