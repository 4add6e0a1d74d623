import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoColumnTable as table } from './storage.test-helpers.ts';
import { Store } from './store.ts';
import { TableStore, type TableChangeListener } from './table-store.ts';
import { KeyPrefix, objectKey, objectPrefix, prefixRange } from './key-space.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import type { Row } from '../../catalog/types.ts';
import { formatChunk } from '../dataflow/chunk.ts';
import { SqlError } from '../errors.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'millrace-changelog-log-'));
  dirs.push(d);
  return d;
}

async function open(dir: string): Promise<{ store: Store; tables: TableStore }> {
  const store = await Store.open(dir);
  const tables = new TableStore(store);
  tables.changelogReadersRestored();
  return { store, tables };
}

/** A listener that records `position: chunk` lines. */
function recorder(): { listener: TableChangeListener; lines: string[]; positions: number[] } {
  const lines: string[] = [];
  const positions: number[] = [];
  return {
    lines,
    positions,
    listener: {
      changes(chunk, position) {
        positions.push(position!);
        for (const line of formatChunk(chunk).split('\n')) lines.push(`${position!}: ${line}`);
      },
    },
  };
}

/** Number of log entries of a table (not counting its head). */
async function logEntries(store: Store, tableId: number): Promise<number> {
  return store.count({
    gte: objectKey(KeyPrefix.CHANGELOG, tableId, new Uint8Array(8)),
    lt: prefixRange(objectPrefix(KeyPrefix.CHANGELOG, tableId)).lt,
  });
}

async function keysOf(tables: TableStore, t: TableDefinition): Promise<{ key: Uint8Array; row: Row }[]> {
  const out: { key: Uint8Array; row: Row }[] = [];
  for await (const b of tables.scanWithKeys(t)) b.keys.forEach((key, i) => out.push({ key, row: b.rows[i]! }));
  return out;
}

async function rejection(p: Promise<unknown>): Promise<SqlError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SqlError);
  return err as SqlError;
}

describe('TableStore change positions and persisted changelog', () => {
  it('gives every committed write the next position, across restarts, logged or not', async () => {
    const dir = await tempDir();
    const t = table(16384);
    let { store, tables } = await open(dir);
    expect(await tables.currentPosition(t.id)).toBe(0);
    await tables.insert(t, [[1, 'a']]);
    await tables.insert(t, [[2, 'b'], [3, 'c']]);
    const rec = recorder();
    const sub = await tables.subscribe(t, rec.listener);
    expect(sub.position).toBe(2);
    const keyed = await keysOf(tables, t);
    await tables.applyChanges(t, [keyed[0]!.key], [{ key: keyed[1]!.key, row: [2, 'b2'] }]);
    await tables.insert(t, [[4, 'd']]);
    expect(rec.positions).toEqual([3, 4]);
    expect(rec.lines).toEqual(['3: -D 1 a', '3: -U 2 b', '3: +U 2 b2', '4: +I 4 d']);
    await store.close();

    ({ store, tables } = await open(dir));
    expect(await tables.currentPosition(t.id)).toBe(4);
    const again = recorder();
    const sub2 = await tables.subscribe(t, again.listener, { durableReader: 'r' });
    expect(sub2.position).toBe(4);
    await tables.insert(t, [[5, 'e']]);
    await store.close();

    ({ store, tables } = await open(dir));
    expect(await tables.currentPosition(t.id)).toBe(5);
    await tables.insert(t, [[6, 'f']]);
    expect(await tables.currentPosition(t.id)).toBe(6);
    await store.close();
  });

  it('writes the log only while a durable reader is registered, and clears it once nobody can use it', async () => {
    const { store, tables } = await open(await tempDir());
    const t = table(16385);
    const plain = await tables.subscribe(t, { changes: () => {} });
    await tables.insert(t, [[1, 'a']]);
    expect(await logEntries(store, t.id)).toBe(0);
    expect(tables.isLogged(t.id)).toBe(false);

    const durable = await tables.subscribe(t, { changes: () => {} }, { durableReader: 'mv-1' });
    expect(tables.isLogged(t.id)).toBe(true);
    await tables.insert(t, [[2, 'b']]);
    await tables.insert(t, [[3, 'c']]);
    expect(await logEntries(store, t.id)).toBe(2);

    // DROP MATERIALIZED VIEW: the registration ends with the subscription.
    durable.unsubscribe();
    durable.unsubscribe();
    expect(tables.isLogged(t.id)).toBe(false);
    await tables.changelogSettled();
    // Nothing truncated yet: the log stays until a write makes it unusable.
    expect(await logEntries(store, t.id)).toBe(2);
    await tables.insert(t, [[4, 'd']]);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(0);
    plain.unsubscribe();
    await store.close();
  });

  it('replays exactly the changes after a position, then continues live, under concurrent writes', async () => {
    const dir = await tempDir();
    const t = table(16386);
    let { store, tables } = await open(dir);
    await tables.insert(t, [[0, 'before']]);
    const first = await tables.subscribe(t, { changes: () => {} }, { durableReader: 'mv-7' });
    expect(first.position).toBe(1);
    for (let i = 1; i <= 30; i++) await tables.insert(t, [[i, `r${i}`]]);
    await store.close();

    ({ store, tables } = await open(dir));
    const rec = recorder();
    const ids: number[] = [];
    const listener: TableChangeListener = {
      changes(chunk, position) {
        rec.listener.changes(chunk, position);
        for (const r of chunk.rows) ids.push(r[0] as number);
      },
    };
    const subscribing = tables.subscribe(t, listener, { from: 11, durableReader: 'mv-7' });
    const writes: Promise<number>[] = [];
    for (let i = 31; i <= 60; i++) writes.push(tables.insert(t, [[i, `r${i}`]]));
    const sub = await subscribing;
    expect(sub.position).toBe(31);
    const snapshot: Row[] = [];
    for await (const b of sub.snapshot) snapshot.push(...b);
    expect(snapshot).toEqual([]);
    await Promise.all(writes);
    expect(rec.positions).toEqual(Array.from({ length: 50 }, (_, i) => 12 + i));
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => 11 + i));
    sub.unsubscribe();
    await store.close();
  });

  it('resumes a kept registration within one process while writes keep arriving', async () => {
    const { store, tables } = await open(await tempDir());
    const t = table(16387, ['id']);
    const sub = await tables.subscribe(t, { changes: () => {} }, { durableReader: 'job', keepRegistration: true });
    await tables.insert(t, [[1, 'a']]);
    await tables.insert(t, [[1, 'b']]);
    sub.unsubscribe();
    expect(tables.isLogged(t.id)).toBe(true);
    await tables.insert(t, [[2, 'c']]);
    const rec = recorder();
    const writes = [tables.insert(t, [[1, 'z']]), tables.deleteByKey(t, [[2, null]])];
    const resumed = await tables.subscribe(t, rec.listener, { from: 1, durableReader: 'job' });
    writes.push(tables.insert(t, [[3, 'x']]));
    await Promise.all(writes);
    expect(resumed.position).toBe(5);
    expect(rec.lines).toEqual(['2: -U 1 a', '2: +U 1 b', '3: +I 2 c', '4: -U 1 b', '4: +U 1 z', '5: -D 2 c', '6: +I 3 x']);
    resumed.unsubscribe();
    expect(tables.isLogged(t.id)).toBe(true);
    tables.unregisterChangelogReader(t.id, 'job');
    expect(tables.isLogged(t.id)).toBe(false);
    await store.close();
  });

  it('round-trips inserts, upserts, updates, moves and deletes with their kinds', async () => {
    const dir = await tempDir();
    const keyedT = table(16388, ['id']);
    const plainT = table(16389);
    let { store, tables } = await open(dir);
    const liveKeyed = recorder();
    const livePlain = recorder();
    await tables.subscribe(keyedT, liveKeyed.listener, { durableReader: 'a' });
    await tables.subscribe(plainT, livePlain.listener, { durableReader: 'a' });

    await tables.insert(keyedT, [[1, 'a'], [2, 'b'], [1, 'a2']]);
    let keyed = await keysOf(tables, keyedT);
    // UPDATE moving key 2 to 3, DELETE of key 1, in one batch.
    await tables.applyChanges(keyedT, [keyed[0]!.key], [{ key: keyed[1]!.key, row: [3, null] }]);
    // A DELETE that matches nothing: a position, no chunk.
    await tables.applyChanges(keyedT, [keyed[0]!.key], []);
    await tables.deleteByKey(keyedT, [[3, null]]);
    keyed = await keysOf(tables, keyedT);
    expect(keyed).toEqual([]);

    await tables.insert(plainT, [[1, 'x'], [1, 'x']]);
    const plain = await keysOf(tables, plainT);
    await tables.applyChanges(plainT, [plain[1]!.key], [{ key: plain[0]!.key, row: [1, 'y'] }, { row: [9, 'new'] }]);

    expect(liveKeyed.lines).toEqual([
      '1: +I 1 a',
      '1: +I 2 b',
      '1: -U 1 a',
      '1: +U 1 a2',
      '2: -D 1 a2',
      '2: -U 2 b',
      '2: +U 3 NULL',
      '4: -D 3 NULL',
    ]);
    expect(livePlain.lines).toEqual(['1: +I 1 x', '1: +I 1 x', '2: -D 1 x', '2: -U 1 x', '2: +U 1 y', '2: +I 9 new']);
    await store.close();

    ({ store, tables } = await open(dir));
    const replayKeyed = recorder();
    const replayPlain = recorder();
    const k = await tables.subscribe(keyedT, replayKeyed.listener, { from: 0 });
    const p = await tables.subscribe(plainT, replayPlain.listener, { from: 0 });
    expect(k.position).toBe(4);
    expect(p.position).toBe(2);
    expect(replayKeyed.lines).toEqual(liveKeyed.lines);
    expect(replayPlain.lines).toEqual(livePlain.lines);
    // From the middle, and from the head (nothing to replay).
    const mid = recorder();
    await tables.subscribe(keyedT, mid.listener, { from: 2 });
    expect(mid.lines).toEqual(['4: -D 3 NULL']);
    const atHead = recorder();
    await tables.subscribe(keyedT, atHead.listener, { from: 4 });
    expect(atHead.lines).toEqual([]);
    await store.close();
  });

  it('truncates the log below the least released position of the registered readers', async () => {
    const { store, tables } = await open(await tempDir());
    const t = table(16390);
    const a = await tables.subscribe(t, { changes: () => {} }, { durableReader: 'a' });
    await tables.subscribe(t, { changes: () => {} }, { durableReader: 'b' });
    for (let i = 1; i <= 10; i++) await tables.insert(t, [[i, null]]);
    expect(await logEntries(store, t.id)).toBe(10);

    tables.releaseChangelog(t.id, 'a', 7);
    tables.releaseChangelog(t.id, 'b', 3);
    tables.releaseChangelog(t.id, 'unknown', 10);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(7);
    // A release never moves back.
    tables.releaseChangelog(t.id, 'b', 1);
    tables.releaseChangelog(t.id, 'b', 5);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(5);

    const err = await rejection(tables.subscribe(t, { changes: () => {} }, { from: 4 }));
    expect(err.code).toBe('55000');
    expect(err.message).toContain('after position 4');
    const rec = recorder();
    await tables.subscribe(t, rec.listener, { from: 5 });
    expect(rec.positions).toEqual([6, 7, 8, 9, 10]);

    // Reader a ends (DROP MATERIALIZED VIEW): b alone decides.
    a.unsubscribe();
    tables.releaseChangelog(t.id, 'b', 9);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(1);
    await store.close();
  });

  it('rejects positions the log cannot serve with 55000 and delivers nothing', async () => {
    const dir = await tempDir();
    const t = table(16391);
    let { store, tables } = await open(dir);
    await tables.insert(t, [[1, null]]);
    await tables.insert(t, [[2, null]]);
    const sub = await tables.subscribe(t, { changes: () => {} }, { durableReader: 'r' });
    expect(sub.position).toBe(2);
    await tables.insert(t, [[3, null]]);

    let delivered = 0;
    const counting: TableChangeListener = { changes: () => delivered++ };
    // Written before any durable reader: never logged.
    expect((await rejection(tables.subscribe(t, counting, { from: 1 }))).code).toBe('55000');
    // Beyond the head.
    expect((await rejection(tables.subscribe(t, counting, { from: 9 }))).code).toBe('55000');
    expect(delivered).toBe(0);
    // A failed durable subscription does not stay registered.
    await rejection(tables.subscribe(t, counting, { from: 9, durableReader: 'other' }));
    sub.unsubscribe();
    expect(tables.isLogged(t.id)).toBe(false);
    await store.close();

    // After a restart, a write made before the reader subscribes again is not logged: the reader rebuilds.
    ({ store, tables } = await open(dir));
    await tables.insert(t, [[4, null]]);
    const err = await rejection(tables.subscribe(t, counting, { from: 3, durableReader: 'r' }));
    expect(err.code).toBe('55000');
    expect(err.detail).toContain('no durable reader');
    expect(delivered).toBe(0);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(0);
    await store.close();
  });

  it('clears entries left below the floor when a table is first touched after a restart', async () => {
    const dir = await tempDir();
    const t = table(16394);
    let { store, tables } = await open(dir);
    const sub = await tables.subscribe(t, { changes: () => {} }, { durableReader: 'r' });
    for (let i = 1; i <= 3; i++) await tables.insert(t, [[i, null]]);
    sub.unsubscribe();
    await tables.insert(t, [[4, null]]);
    // Closed before the background truncation may run.
    await store.close();

    ({ store, tables } = await open(dir));
    expect(await tables.currentPosition(t.id)).toBe(4);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(0);
    await store.close();
  });

  it('a reader that checkpoints, releases and resumes under concurrent writes sees every change once', async () => {
    const { store, tables } = await open(await tempDir());
    const t = table(16395);
    let checkpoint = (await tables.subscribe(t, { changes: () => {} }, { durableReader: 'r', keepRegistration: true })).position;
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 15; round++) {
      const writes: Promise<number>[] = [];
      for (let i = 0; i < 4; i++) writes.push(tables.insert(t, [[next++, null]]));
      let delivered = checkpoint;
      const sub = await tables.subscribe(
        t,
        {
          changes(chunk, position) {
            expect(position).toBe(delivered + 1);
            delivered = position!;
            for (const r of chunk.rows) seen.push(r[0] as number);
          },
        },
        { from: checkpoint, durableReader: 'r' },
      );
      for (let i = 0; i < 3; i++) writes.push(tables.insert(t, [[next++, null]]));
      await Promise.all(writes);
      sub.unsubscribe();
      checkpoint = delivered;
      tables.releaseChangelog(t.id, 'r', checkpoint);
    }
    await tables.changelogSettled();
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(await logEntries(store, t.id)).toBe(0);
    await store.close();
  });

  it('keeps released entries until the readers of before the restart are back', async () => {
    const dir = await tempDir();
    const t = table(16396);
    let { store, tables } = await open(dir);
    await tables.subscribe(t, { changes: () => {} }, { durableReader: 'slow' });
    await tables.subscribe(t, { changes: () => {} }, { durableReader: 'fast' });
    for (let i = 1; i <= 6; i++) await tables.insert(t, [[i, null]]);
    tables.releaseChangelog(t.id, 'fast', 6);
    tables.releaseChangelog(t.id, 'slow', 2);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(4);
    await store.close();

    store = await Store.open(dir);
    tables = new TableStore(store);
    await tables.subscribe(t, { changes: () => {} }, { from: 6, durableReader: 'fast' });
    tables.releaseChangelog(t.id, 'fast', 6);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(4);
    const slow = recorder();
    await tables.subscribe(t, slow.listener, { from: 2, durableReader: 'slow' });
    expect(slow.positions).toEqual([3, 4, 5, 6]);
    tables.changelogReadersRestored();
    tables.releaseChangelog(t.id, 'slow', 4);
    await tables.changelogSettled();
    expect(await logEntries(store, t.id)).toBe(2);
    await store.close();
  });

  it('clears the head and the log when the table is dropped', async () => {
    const { store, tables } = await open(await tempDir());
    const t = table(16392);
    await tables.subscribe(t, { changes: () => {} }, { durableReader: 'r' });
    await tables.insert(t, [[1, null]]);
    await tables.insert(t, [[2, null]]);
    await tables.drop(t.id);
    expect(await store.count(prefixRange(objectPrefix(KeyPrefix.CHANGELOG, t.id)))).toBe(0);
    expect(tables.isLogged(t.id)).toBe(false);
    expect(await tables.currentPosition(t.id)).toBe(0);
    await store.close();
  });

  it('any replay from a logged position equals the history after it (random writes)', async () => {
    const { store, tables } = await open(await tempDir());
    const t = table(16393, ['id']);
    const history = recorder();
    await tables.subscribe(t, history.listener, { durableReader: 'h' });
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 60; step++) {
      const op = random(3);
      if (op === 0) {
        const rows: Row[] = [];
        for (let i = random(4); i >= 0; i--) rows.push([random(10), `v${step}`]);
        await tables.insert(t, rows);
      } else if (op === 1) {
        await tables.deleteByKey(t, [[random(10), null]]);
      } else {
        const keyed = await keysOf(tables, t);
        const victim = keyed[random(Math.max(keyed.length, 1))];
        if (victim !== undefined) await tables.applyChanges(t, [], [{ key: victim.key, row: [random(10), `u${step}`] }]);
      }
    }
    const head = await tables.currentPosition(t.id);
    expect(head).toBeGreaterThan(50);
    for (const from of [0, 1, 17, 33, head - 1, head]) {
      const rec = recorder();
      await tables.subscribe(t, rec.listener, { from });
      expect(rec.lines).toEqual(history.lines.filter((l) => Number(l.slice(0, l.indexOf(':'))) > from));
    }
    await store.close();
  });
});
