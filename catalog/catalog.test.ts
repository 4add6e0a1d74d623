import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/storage/store.ts';
import { Catalog } from './catalog.ts';
import { FIRST_USER_OID, type TableDefinition, type ViewDefinition } from './relation.ts';
import { INT, STRING, varchar } from './types.ts';
import { SqlError } from '../src/errors.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'millrace-catalog-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function tableDef(name: string, primaryKey: string[] = []): Omit<TableDefinition, 'id'> {
  return {
    kind: 'table',
    name,
    schema: 'public',
    columns: [
      { name: 'id', type: INT, nullable: false, kind: 'physical', comment: 'the id' },
      { name: 'label', type: varchar(20), nullable: true, kind: 'physical' },
    ],
    primaryKey,
    partitionedBy: [],
    options: {},
    comment: 'a table',
  };
}

function viewDef(name: string, query: string): Omit<ViewDefinition, 'id'> {
  return { kind: 'view', name, schema: 'public', columns: [{ name: 'id', type: INT, nullable: true, kind: 'physical' }], query };
}

async function withCatalog<T>(dir: string, f: (c: Catalog) => Promise<T>): Promise<T> {
  const store = await Store.open(dir);
  try {
    return await f(await Catalog.open(store));
  } finally {
    await store.close();
  }
}

describe('Catalog', () => {
  it('creates, persists and reloads definitions', async () => {
    const dir = await tempDir();
    const created = await withCatalog(dir, async (c) => {
      const t = await c.create(tableDef('orders', ['id']));
      const v = await c.create(viewDef('big', 'SELECT id FROM orders'));
      return [t, v];
    });
    expect(created[0]!.id).toBe(FIRST_USER_OID);
    await withCatalog(dir, async (c) => {
      expect(c.list()).toEqual(created);
      expect(c.byId(created[0]!.id)).toEqual(created[0]);
      expect(c.lookup(['orders'])).toEqual(created[0]);
      expect(c.lookup(['public', 'big'])).toEqual(created[1]);
      expect(c.lookup(['default_database', 'orders'])).toEqual(created[0]);
      expect(c.lookup(['millrace', 'public', 'orders'])).toEqual(created[0]);
      expect(c.lookup(['default_catalog', 'default_database', 'orders'])).toEqual(created[0]);
      expect(c.lookup(['other', 'public', 'orders'])).toBeUndefined();
      expect(c.lookup(['pg_catalog', 'orders'])).toBeUndefined();
      expect(c.lookup(['ORDERS'])).toBeUndefined();
    });
  });

  it('never reuses ids, also after drop and restart, and reserves ids for primary key objects', async () => {
    const dir = await tempDir();
    const first = await withCatalog(dir, async (c) => {
      const a = await c.create(tableDef('a', ['id']));
      expect(c.primaryKeyOids(a.id)).toEqual({ index: a.id + 1, constraint: a.id + 2 });
      const b = await c.create(tableDef('b'));
      expect(b.id).toBe(a.id + 3);
      await c.drop(b.id);
      expect(c.lookup(['b'])).toBeUndefined();
      expect(c.byId(b.id)).toBeUndefined();
      return b.id;
    });
    await withCatalog(dir, async (c) => {
      expect(c.list().map((r) => r.name)).toEqual(['a']);
      const again = await c.create(tableDef('b'));
      expect(again.id).toBe(first + 1);
    });
  });

  it('replaces a definition under the same id', async () => {
    const dir = await tempDir();
    await withCatalog(dir, async (c) => {
      const v = await c.create(viewDef('v', 'SELECT 1'));
      await c.replace({ ...viewDef('v', 'SELECT 2'), id: v.id });
    });
    await withCatalog(dir, async (c) => {
      const v = c.lookup(['v']);
      expect(v?.kind === 'view' && v.query).toBe('SELECT 2');
    });
  });

  it('refuses duplicate names and names of pg_catalog relations', async () => {
    await withCatalog(await tempDir(), async (c) => {
      await c.create(tableDef('t'));
      await expect(c.create(tableDef('t'))).rejects.toMatchObject({ code: '42P07' });
      const err = await c.create(tableDef('pg_class')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).code).toBe('42P07');
    });
  });

  it('resolves system relations: unqualified names search pg_catalog, information_schema needs its schema', async () => {
    await withCatalog(await tempDir(), async (c) => {
      expect(c.lookup(['pg_class'])?.id).toBe(1259);
      expect(c.lookup(['pg_catalog', 'pg_type'])?.id).toBe(1247);
      expect(c.lookup(['millrace', 'pg_catalog', 'pg_namespace'])?.id).toBe(2615);
      expect(c.lookup(['information_schema', 'tables'])?.kind).toBe('system');
      expect(c.lookup(['tables'])).toBeUndefined();
      expect(c.byId(1259)?.name).toBe('pg_class');
      expect(c.systemRelations().length).toBeGreaterThan(50);
      expect(c.list()).toEqual([]);
    });
  });

  it('keeps the STRING type of a column intact through JSON', async () => {
    const dir = await tempDir();
    await withCatalog(dir, async (c) => {
      await c.create({ ...tableDef('s'), columns: [{ name: 'x', type: STRING, nullable: true, kind: 'physical' }] });
    });
    await withCatalog(dir, async (c) => {
      expect(c.lookup(['s'])?.columns[0]!.type).toEqual(STRING);
    });
  });
});
