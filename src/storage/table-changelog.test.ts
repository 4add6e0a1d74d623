import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoColumnTable as table, collectRows as collect } from './storage.test-helpers.ts';
import { Store } from './store.ts';
import { TableStore } from './table-store.ts';
import type { Row } from '../../catalog/types.ts';
import { formatChunk, type Chunk } from '../dataflow/chunk.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function open(): Promise<{ store: Store; tables: TableStore }> {
  const d = await mkdtemp(join(tmpdir(), 'millrace-changelog-'));
  dirs.push(d);
  const store = await Store.open(d);
  return { store, tables: new TableStore(store) };
}

describe('TableStore changelog', () => {
  it('publishes inserts, upserts on the key, updates and deletes with their old rows', async () => {
    const { store, tables } = await open();
    const t = table(16384, ['id']);
    await tables.insert(t, [[1, 'a']]);
    const seen: Chunk[] = [];
    const sub = await tables.subscribe(t, { changes: (c) => seen.push(c) });
    expect(await collect(sub.snapshot)).toEqual([[1, 'a']]);
    await tables.insert(t, [[2, 'b'], [1, 'a2'], [1, 'a3']]);
    const keyed: { key: Uint8Array; row: Row }[] = [];
    for await (const b of tables.scanWithKeys(t)) b.keys.forEach((key, i) => keyed.push({ key, row: b.rows[i]! }));
    // UPDATE moving row 2 to key 3, DELETE of key 1.
    await tables.applyChanges(t, [keyed[0]!.key], [{ key: keyed[1]!.key, row: [3, 'b'] }]);
    expect(seen.map(formatChunk).join('\n')).toBe(['+I 2 b', '-U 1 a', '+U 1 a2', '-U 1 a2', '+U 1 a3', '-D 1 a3', '-U 2 b', '+U 3 b'].join('\n'));
    sub.unsubscribe();
    await tables.insert(t, [[9, 'z']]);
    expect(seen).toHaveLength(2);
    await store.close();
  });

  it('a snapshot and the changes after it neither lose nor repeat a row under concurrent writes', async () => {
    const { store, tables } = await open();
    const t = table(16385);
    const writes: Promise<number>[] = [];
    for (let i = 0; i < 20; i++) writes.push(tables.insert(t, [[i, 'x']]));
    const seen: Row[] = [];
    const subscribing = tables.subscribe(t, { changes: (c) => seen.push(...c.rows) });
    for (let i = 20; i < 40; i++) writes.push(tables.insert(t, [[i, 'y']]));
    const sub = await subscribing;
    const snapshot = await collect(sub.snapshot);
    await Promise.all(writes);
    const ids = [...snapshot, ...seen].map((r) => r[0]).sort((a, b) => Number(a) - Number(b));
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await store.close();
  });

  it('tells listeners when the table is dropped', async () => {
    const { store, tables } = await open();
    const t = table(16386);
    let dropped = false;
    await tables.subscribe(t, { changes: () => {}, dropped: () => (dropped = true) });
    await tables.drop(t.id);
    expect(dropped).toBe(true);
    await store.close();
  });
});
