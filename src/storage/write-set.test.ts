/**
 * Transaction write sets on a real store: staged writes are invisible to the
 * store until committed, read back merged in key order, undone to a mark,
 * committed as one change per table with the net effect, survive a restart
 * once committed, and conflict (40001) with a commit to the same row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoColumnTable as table, collectRows as rows } from './storage.test-helpers.ts';
import { Store } from './store.ts';
import { TableStore } from './table-store.ts';
import { WriteSet } from './write-set.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import { formatChunk } from '../dataflow/chunk.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function open(dir?: string): Promise<{ dir: string; store: Store; tables: TableStore }> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'millrace-ws-')));
  if (dir === undefined) dirs.push(d);
  const store = await Store.open(d);
  return { dir: d, store, tables: new TableStore(store) };
}

async function keyedRows(tables: TableStore, ws: WriteSet, t: TableDefinition): Promise<{ keys: Uint8Array[]; rows: Row[] }> {
  const keys: Uint8Array[] = [];
  const out: Row[] = [];
  for await (const b of tables.scanWithKeysIn(ws, t)) {
    keys.push(...b.keys);
    out.push(...b.rows);
  }
  return { keys, rows: out };
}

describe('WriteSet', () => {
  it('reads staged writes merged with committed rows, in key order, and stores nothing until COMMIT', async () => {
    const { store, tables } = await open();
    const t = table(20000, ['id']);
    await tables.insert(t, [[2, 'b'], [4, 'd'], [6, 'f']]);
    const ws = new WriteSet();
    await tables.stageInsert(ws, t, [[5, 'e'], [1, 'a'], [4, 'D'], [9, 'z']]);
    const { keys } = await keyedRows(tables, ws, t);
    await tables.stageChanges(ws, t, { deletes: [keys[2]!], upserts: [] }); // id 4
    await tables.stageChanges(ws, t, { deletes: [], upserts: [{ key: keys[4]!, row: [7, 'g'] }] }); // id 6 -> 7
    expect(await rows(tables.scanIn(ws, t))).toEqual([[1, 'a'], [2, 'b'], [5, 'e'], [7, 'g'], [9, 'z']]);
    expect(await rows(tables.scanIn(ws, t, [1]))).toEqual([['a'], ['b'], ['e'], ['g'], ['z']]);
    expect(await rows(tables.scan(t))).toEqual([[2, 'b'], [4, 'd'], [6, 'f']]);
    expect(await tables.currentPosition(t.id)).toBe(1);
    await store.close();
  });

  it('undoes the writes after a mark and keeps those before it', async () => {
    const { store, tables } = await open();
    const t = table(20001);
    await tables.insert(t, [[1, 'a']]);
    const ws = new WriteSet();
    await tables.stageInsert(ws, t, [[2, 'b']]);
    const outer = ws.mark();
    await tables.stageInsert(ws, t, [[3, 'c']]);
    const inner = ws.mark();
    const { keys } = await keyedRows(tables, ws, t);
    await tables.stageChanges(ws, t, { deletes: keys, upserts: [] });
    expect(await rows(tables.scanIn(ws, t))).toEqual([]);
    ws.rollbackTo(inner);
    expect(await rows(tables.scanIn(ws, t))).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    ws.rollbackTo(outer);
    expect(await rows(tables.scanIn(ws, t))).toEqual([[1, 'a'], [2, 'b']]);
    ws.release(outer);
    await tables.stageInsert(ws, t, [[4, 'd']]);
    await tables.commitWriteSet(ws, () => true);
    expect(await rows(tables.scan(t))).toEqual([[1, 'a'], [2, 'b'], [4, 'd']]);
    await store.close();
  });

  it('commits the net effect as one change per table, durably, across tables', async () => {
    const first = await open();
    const t = table(20002, ['id']);
    const u = table(20003);
    await first.tables.insert(t, [[1, 'a'], [2, 'b']]);
    const chunks: string[] = [];
    const listener = { changes: (c: Chunk) => void chunks.push(formatChunk(c)) };
    const sub = await first.tables.subscribe(t, listener);
    await rows(sub.snapshot);
    const ws = new WriteSet();
    await first.tables.stageInsert(ws, t, [[3, 'c'], [1, 'A']]);
    await first.tables.stageInsert(ws, t, [[3, 'C']]);
    const { keys } = await keyedRows(first.tables, ws, t);
    await first.tables.stageChanges(ws, t, { deletes: [keys[1]!], upserts: [] });
    await first.tables.stageInsert(ws, t, [[8, 'gone']]);
    const eight = (await keyedRows(first.tables, ws, t)).keys[2]!;
    await first.tables.stageChanges(ws, t, { deletes: [eight], upserts: [] });
    await first.tables.stageInsert(ws, u, [[1, 'x'], [1, 'x']]);
    expect(chunks).toEqual([]);
    await first.tables.commitWriteSet(ws, () => true);
    expect(chunks.length).toBe(1);
    expect(chunks[0]!.split('\n').sort()).toEqual(['+I 3 C', '+U 1 A', '-D 2 b', '-U 1 a']);
    expect(await first.tables.currentPosition(t.id)).toBe(2);
    expect(await first.tables.currentPosition(u.id)).toBe(1);
    sub.unsubscribe();
    await first.store.close();

    const again = await open(first.dir);
    expect(await rows(again.tables.scan(t))).toEqual([[1, 'A'], [3, 'C']]);
    expect(await rows(again.tables.scan(u))).toEqual([[1, 'x'], [1, 'x']]);
    await again.store.close();
  });

  it('fails a commit whose row another commit changed since the block wrote it, storing nothing', async () => {
    const { store, tables } = await open();
    const t = table(20004, ['id']);
    const u = table(20005);
    await tables.insert(t, [[1, 'a']]);
    const ws = new WriteSet();
    await tables.stageInsert(ws, u, [[9, 'other table']]);
    await tables.stageInsert(ws, t, [[1, 'mine']]);
    await tables.insert(t, [[1, 'theirs']]);
    await expect(tables.commitWriteSet(ws, () => true)).rejects.toMatchObject({ code: '40001' });
    expect(await rows(tables.scan(t))).toEqual([[1, 'theirs']]);
    expect(await rows(tables.scan(u))).toEqual([]);

    // A key inserted by both: the later commit fails too.
    const a = new WriteSet();
    const b = new WriteSet();
    await tables.stageInsert(a, t, [[2, 'a']]);
    await tables.stageInsert(b, t, [[2, 'b']]);
    await tables.commitWriteSet(a, () => true);
    await expect(tables.commitWriteSet(b, () => true)).rejects.toMatchObject({ code: '40001' });
    expect(await rows(tables.scan(t))).toEqual([[1, 'theirs'], [2, 'a']]);

    // Tables the caller no longer knows (dropped) are skipped.
    const c = new WriteSet();
    await tables.stageInsert(c, t, [[3, 'c']]);
    await tables.commitWriteSet(c, () => false);
    expect(await rows(tables.scan(t))).toEqual([[1, 'theirs'], [2, 'a']]);
    await store.close();
  });

  it('reads and commits what a model of the table says, for random blocks of inserts, updates, deletes and savepoints', async () => {
    const { store, tables } = await open();
    const t = table(20006, ['id']);
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const committed = new Map<number, string>();
    // A subscriber's view of the table, kept by applying every published change.
    const seen = new Map<number, string>();
    const sub = await tables.subscribe(t, {
      changes(chunk) {
        chunk.rows.forEach((r, i) => {
          const kind = chunk.kinds === null ? RowKind.INSERT : chunk.kinds[i]!;
          if (kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE) {
            expect(seen.get(r[0] as number)).toBe(r[1]);
            seen.delete(r[0] as number);
          } else seen.set(r[0] as number, r[1] as string);
        });
      },
    });
    await rows(sub.snapshot);
    for (let round = 0; round < 12; round++) {
      const ws = new WriteSet();
      const model = new Map(committed);
      const marks: { mark: number; state: Map<number, string> }[] = [];
      for (let step = 0; step < 25; step++) {
        const op = rand(10);
        if (op < 4) {
          const id = rand(30);
          const name = `r${round}s${step}`;
          await tables.stageInsert(ws, t, [[id, name]]);
          model.set(id, name);
        } else if (op < 6) {
          const { keys, rows: current } = await keyedRows(tables, ws, t);
          const picked = current.map((r, i) => [r, keys[i]!] as const).filter(([r]) => (r[0] as number) % 3 === rand(3));
          await tables.stageChanges(ws, t, { deletes: picked.map(([, k]) => k), upserts: [] });
          for (const [r] of picked) model.delete(r[0] as number);
        } else if (op < 8) {
          const { keys, rows: current } = await keyedRows(tables, ws, t);
          const i = current.length === 0 ? -1 : rand(current.length);
          if (i >= 0) {
            const moved = rand(30);
            const row = current[i]!;
            await tables.stageChanges(ws, t, { deletes: [], upserts: [{ key: keys[i]!, row: [moved, `${row[1] as string}+`] }] });
            model.delete(row[0] as number);
            model.set(moved, `${row[1] as string}+`);
          }
        } else if (op === 8) {
          marks.push({ mark: ws.mark(), state: new Map(model) });
        } else if (marks.length > 0) {
          const m = marks[marks.length - 1]!;
          ws.rollbackTo(m.mark);
          model.clear();
          for (const [k, v] of m.state) model.set(k, v);
        }
        const expected = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v]);
        expect(await rows(tables.scanIn(ws, t))).toEqual(expected);
      }
      const expected = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v]);
      if (rand(4) === 0) {
        // Rolled back: nothing changes.
        expect(await rows(tables.scan(t))).toEqual([...committed.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v]));
        continue;
      }
      await tables.commitWriteSet(ws, () => true);
      expect(await rows(tables.scan(t))).toEqual(expected);
      expect([...seen.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v])).toEqual(expected);
      committed.clear();
      for (const [k, v] of model) committed.set(k, v);
    }
    sub.unsubscribe();
    await store.close();
  });
});
