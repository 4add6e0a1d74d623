import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store.ts';
import { TableStore } from './table-store.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import { BIGINT, INT, STRING, decimal } from '../../catalog/types.ts';
import { decodeKey } from '../values/key-codec.ts';
import { SqlError } from '../errors.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'millrace-tables-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function table(id: number, primaryKey: string[] = []): TableDefinition {
  return {
    kind: 'table',
    id,
    name: `t${id}`,
    schema: 'public',
    columns: [
      { name: 'id', type: INT, nullable: primaryKey.length === 0, kind: 'physical' },
      { name: 'name', type: STRING, nullable: true, kind: 'physical' },
      { name: 'doubled', type: INT, nullable: true, kind: 'computed', expr: 'id * 2' },
      { name: 'amount', type: decimal(10, 2), nullable: true, kind: 'physical' },
    ],
    primaryKey,
    partitionedBy: [],
    options: {},
  };
}

async function all(tables: TableStore, t: TableDefinition): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of tables.scan(t)) out.push(...b);
  return out;
}

describe('TableStore', () => {
  it('keeps duplicate rows of a table without a key, in insertion order, across restarts', async () => {
    const dir = await tempDir();
    const t = table(16384);
    let store = await Store.open(dir);
    let tables = new TableStore(store);
    expect(await tables.insert(t, [[1, 'a', 100n], [1, 'a', 100n]])).toBe(2);
    expect(await tables.insert(t, [[2, null, null]])).toBe(1);
    await store.close();

    store = await Store.open(dir);
    tables = new TableStore(store);
    expect(await all(tables, t)).toEqual([[1, 'a', 100n], [1, 'a', 100n], [2, null, null]]);
    await tables.insert(t, [[3, 'c', 5n]]);
    const keyed: { key: Uint8Array; row: Row }[] = [];
    for await (const { keys, rows } of tables.scanWithKeys(t)) keys.forEach((key, i) => keyed.push({ key, row: rows[i]! }));
    const ids = keyed.map((k) => decodeKey(k.key.subarray(5), [BIGINT])[0]);
    expect(ids).toEqual([1n, 2n, 3n, 4n]);
    expect(keyed[3]!.row).toEqual([3, 'c', 5n]);
    expect(await tables.count(t.id)).toBe(4);
    await store.close();
  });

  it('upserts on the primary key (last write wins) and scans in key order', async () => {
    const dir = await tempDir();
    const t = table(16385, ['id']);
    let store = await Store.open(dir);
    let tables = new TableStore(store);
    await tables.insert(t, [[2, 'b', null], [1, 'a', null], [-5, 'neg', null]]);
    await tables.insert(t, [[1, 'a2', 1n], [1, 'a3', 2n]]);
    await store.close();
    store = await Store.open(dir);
    tables = new TableStore(store);
    expect(await all(tables, t)).toEqual([[-5, 'neg', null], [1, 'a3', 2n], [2, 'b', null]]);
    await store.close();
  });

  it('rejects NULL in NOT NULL columns with 23502', async () => {
    const store = await Store.open(await tempDir());
    const tables = new TableStore(store);
    const err = await tables.insert(table(16386, ['id']), [[null, 'x', null]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('23502');
    await store.close();
  });

  it('applies updates and deletes atomically, moving rows whose key changed', async () => {
    const store = await Store.open(await tempDir());
    const tables = new TableStore(store);
    const t = table(16387, ['id']);
    await tables.insert(t, [[1, 'a', null], [2, 'b', null], [3, 'c', null]]);
    const keys: Uint8Array[] = [];
    for await (const b of tables.scanWithKeys(t)) keys.push(...b.keys);
    // 1 -> 2 and 2 -> 4 in one statement: the moved row must not be deleted by the second move.
    await tables.applyChanges(t, [keys[2]!], [
      { key: keys[0]!, row: [2, 'was1', null] },
      { key: keys[1]!, row: [4, 'was2', null] },
    ]);
    expect(await all(tables, t)).toEqual([[2, 'was1', null], [4, 'was2', null]]);
    await tables.applyChanges(t, { deletes: [], upserts: [{ row: [9, 'new', null] }] });
    expect((await all(tables, t)).map((r) => r[0])).toEqual([2, 4, 9]);
    await store.close();
  });

  it('updates rows of a table without a key in place and appends key-less upserts', async () => {
    const store = await Store.open(await tempDir());
    const tables = new TableStore(store);
    const t = table(16388);
    await tables.insert(t, [[1, 'a', null], [1, 'a', null]]);
    const batch = (await tables.scanWithKeys(t).next()).value!;
    await tables.applyChanges(t, [batch.keys[1]!], [{ key: batch.keys[0]!, row: [1, 'changed', null] }, { row: [7, 'x', null] }]);
    expect(await all(tables, t)).toEqual([[1, 'changed', null], [7, 'x', null]]);
    await store.close();
  });

  it('drops every row of one table only', async () => {
    const store = await Store.open(await tempDir());
    const tables = new TableStore(store);
    const a = table(16390);
    const b = table(16391);
    await tables.insert(a, [[1, 'a', null]]);
    await tables.insert(b, [[2, 'b', null]]);
    await tables.drop(a.id);
    expect(await all(tables, a)).toEqual([]);
    expect(await all(tables, b)).toEqual([[2, 'b', null]]);
    await store.close();
  });

  it('scans in batches of 1024', async () => {
    const store = await Store.open(await tempDir());
    const tables = new TableStore(store);
    const t = table(16392);
    const rows: Row[] = [];
    for (let i = 0; i < 2500; i++) rows.push([i, `r${i}`, BigInt(i)]);
    await tables.insert(t, rows);
    const sizes: number[] = [];
    const got: Row[] = [];
    for await (const b of tables.scan(t)) {
      sizes.push(b.length);
      got.push(...b);
    }
    expect(sizes).toEqual([1024, 1024, 452]);
    expect(got).toEqual(rows);
    await store.close();
  });

  it('allocates distinct row ids to concurrent inserts into a fresh table', async () => {
    const store = await Store.open(await tempDir());
    const tables = new TableStore(store);
    const t = table(16393);
    await Promise.all([1, 2, 3, 4].map((i) => tables.insert(t, [[i, null, null]])));
    expect(await tables.count(t.id)).toBe(4);
    await store.close();
  });
  it('scans only the requested columns, in the requested order, across batches', async () => {
    const dir = await tempDir();
    const t = table(16390);
    const store = await Store.open(dir);
    try {
      const tables = new TableStore(store);
      const rows: Row[] = [];
      for (let i = 0; i < 2500; i++) rows.push([i, i % 3 === 0 ? null : `n${i}`, i % 2 === 0 ? BigInt(i) * 100n : null]);
      await tables.insert(t, rows);
      const picked: Row[] = [];
      let batches = 0;
      for await (const b of tables.scan(t, [2, 0, 0])) {
        batches++;
        picked.push(...b);
      }
      expect(batches).toBeGreaterThan(1);
      expect(picked).toEqual(rows.map((r) => [r[2], r[0], r[0]]));
      const names: Row[] = [];
      for await (const b of tables.scan(t, [1])) names.push(...b);
      expect(names).toEqual(rows.map((r) => [r[1]]));
      expect(await all(tables, t)).toEqual(rows);
    } finally {
      await store.close();
    }
  });
});
