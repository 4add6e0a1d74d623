import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InternalError } from '../errors.ts';
import { Store } from '../storage/store.ts';
import { prefixRange } from '../streaming/state-table.ts';
import { compareKeys } from '../values/key-codec.ts';
import { LevelStateTable } from './level-state-table.ts';
import { StateMemoryBudget } from './memory-budget.ts';
import { stateValueCodec, type StateValue } from './state-codec.ts';

const PREFIX = new Uint8Array([0x04, 0, 0, 0, 7]);
const OTHER = new Uint8Array([0x04, 0, 0, 0, 8]);

/** A 4-byte big-endian key: byte order is numeric order. */
function k(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function num(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(0);
}

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-state-'));
  store = await Store.open(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function load(budget = new StateMemoryBudget(1 << 30), prefix = PREFIX): Promise<LevelStateTable<StateValue>> {
  return LevelStateTable.load(store, prefix, stateValueCodec, budget);
}

async function checkpoint(t: LevelStateTable<StateValue>): Promise<void> {
  await store.write(t.takeCheckpoint());
  t.checkpointCommitted();
}

function contents(t: LevelStateTable<StateValue>): [number, StateValue][] {
  return [...t.scan()].map(([key, v]) => [num(key), v]);
}

describe('LevelStateTable', () => {
  it('gets, puts, deletes and scans ranges in key order', async () => {
    const t = await load();
    for (const n of [5, 1, 9, 3, 7, 300, 256]) t.put(k(n), { n });
    expect(t.size).toBe(7);
    expect(t.get(k(3))).toEqual({ n: 3 });
    expect(t.get(k(4))).toBeUndefined();
    t.put(k(3), 'three');
    expect(t.get(k(3))).toBe('three');
    t.delete(k(9));
    t.delete(k(10));
    expect(t.size).toBe(6);
    expect(contents(t).map(([n]) => n)).toEqual([1, 3, 5, 7, 256, 300]);
    expect([...t.scan({ gte: k(3), lt: k(256) })].map(([key]) => num(key))).toEqual([3, 5, 7]);
    expect([...t.scan({ gte: k(4) })].map(([key]) => num(key))).toEqual([5, 7, 256, 300]);
    expect([...t.scan({ lt: k(5) })].map(([key]) => num(key))).toEqual([1, 3]);
    expect([...t.scan(prefixRange(new Uint8Array([0, 0, 1])))].map(([key]) => num(key))).toEqual([256, 300]);
    t.put(k(4), 4);
    expect([...t.scan({ gte: k(3), lt: k(6) })].map(([key]) => num(key))).toEqual([3, 4, 5]);
    expect(() => t.put(k(1), undefined as unknown as StateValue)).toThrow(InternalError);
  });

  it('persists only what a committed checkpoint wrote, deletes included', async () => {
    const t = await load();
    for (let i = 0; i < 100; i++) t.put(k(i), [i, 'v' + i, BigInt(i) * 10n ** 30n]);
    await checkpoint(t);
    for (let i = 0; i < 100; i += 3) t.delete(k(i));
    t.put(k(1), 'changed');
    t.put(k(1000), null);
    await checkpoint(t);
    t.put(k(2), 'not checkpointed');
    t.delete(k(4));
    const expected = contents(t);
    expected.find(([n]) => n === 2)![1] = [2, 'v2', 2n * 10n ** 30n];
    expected.splice(expected.findIndex(([n]) => n === 5), 0, [4, [4, 'v4', 4n * 10n ** 30n]]);

    const back = await load();
    expect(contents(back)).toEqual(expected);
    expect(back.size).toBe(expected.length);
    expect(back.get(k(0))).toBeUndefined();
    expect(back.get(k(1))).toBe('changed');
    expect(back.get(k(1000))).toBeNull();
    expect(await store.count(prefixRange(PREFIX) as { gte: Uint8Array; lt: Uint8Array })).toBe(expected.length);
  });

  it('writes a delete and a re-insert of the same key in one checkpoint in order', async () => {
    const t = await load();
    t.put(k(1), 'a');
    await checkpoint(t);
    t.delete(k(1));
    t.put(k(1), 'b');
    t.delete(k(1));
    t.put(k(1), 'c');
    const ops = t.takeCheckpoint();
    expect(ops.map((o) => o.type)).toEqual(['del', 'del', 'put']);
    await store.write(ops);
    t.checkpointCommitted();
    expect((await load()).get(k(1))).toBe('c');
    t.delete(k(1));
    t.put(k(1), 'd');
    t.delete(k(1));
    await checkpoint(t);
    expect((await load()).size).toBe(0);
  });

  it('works with a budget far smaller than the state', async () => {
    const budget = new StateMemoryBudget(10 * 1024);
    const t = await load(budget);
    const value = (i: number): StateValue => ({ i, pad: 'x'.repeat(480 + (i % 40)) });
    const n = 2000;
    for (let i = 0; i < n; i++) t.put(k(i * 7), value(i));
    await checkpoint(t);
    expect(budget.used).toBeLessThanOrEqual(budget.limit);
    expect(budget.evictions).toBeGreaterThan(n - 30);
    for (let i = 0; i < n; i += 13) expect(t.get(k(i * 7))).toEqual(value(i));
    expect(budget.used).toBeLessThanOrEqual(budget.limit);
    // (a value read back counts its decoded form and its stored bytes: about 1000 here)
    expect(budget.used).toBeGreaterThan(budget.limit - 1100);
    let count = 0;
    let prev: Uint8Array | undefined;
    for (const [key, v] of t.scan()) {
      if (prev !== undefined) expect(compareKeys(prev, key)).toBeLessThan(0);
      expect(v).toEqual(value(num(key) / 7));
      prev = key;
      count++;
    }
    expect(count).toBe(n);
    expect([...t.scan({ gte: k(700), lt: k(1400) })].map(([, v]) => (v as { i: number }).i)).toEqual(
      Array.from({ length: 100 }, (_, j) => 100 + j),
    );
    expect(budget.used).toBeLessThanOrEqual(budget.limit);

    // Reload under the same small budget: keys all indexed, values mostly not cached.
    t.close();
    expect(budget.used).toBe(0);
    const back = await load(budget);
    expect(back.size).toBe(n);
    expect(budget.used).toBeLessThanOrEqual(budget.limit);
    expect(back.get(k(7 * 1999))).toEqual(value(1999));
    expect([...back.scan()].length).toBe(n);
  });

  it('never evicts a dirty or uncommitted value', async () => {
    const budget = new StateMemoryBudget(0);
    const t = await load(budget);
    for (let i = 0; i < 50; i++) t.put(k(i), 'v' + i);
    expect(budget.used).toBe(0);
    const ops = t.takeCheckpoint();
    // Not written yet: an eviction would make the read below fail (the store does not have the value).
    for (let i = 0; i < 50; i++) expect(t.get(k(i))).toBe('v' + i);
    expect(store.getSync(new Uint8Array([...PREFIX, ...k(0)]))).toBeUndefined();
    await store.write(ops);
    for (let i = 0; i < 50; i++) expect(t.get(k(i))).toBe('v' + i);
    t.checkpointCommitted();
    // Now clean: a zero budget evicts everything, and reads go to LevelDB.
    expect(budget.count).toBe(0);
    expect(budget.evictions).toBe(50);
    for (let i = 0; i < 50; i++) expect(t.get(k(i))).toBe('v' + i);
    expect(budget.evictions).toBe(100);
  });

  it('handles overlapping checkpoints', async () => {
    const budget = new StateMemoryBudget(1 << 20);
    const t = await load(budget);
    t.put(k(1), 'one');
    t.put(k(2), 'two');
    const first = t.takeCheckpoint();
    t.put(k(1), 'ONE');
    t.put(k(3), 'three');
    t.delete(k(2));
    const second = t.takeCheckpoint();
    expect(t.pendingCheckpoints).toBe(2);
    t.put(k(4), 'four');

    await store.write(first);
    t.checkpointCommitted();
    // k1 was rewritten by the second checkpoint, k2 deleted: neither is clean yet.
    expect(budget.count).toBe(0);
    expect((await load(new StateMemoryBudget(1 << 20))).get(k(1))).toBe('one');

    await store.write(second);
    t.checkpointCommitted();
    expect(budget.count).toBe(2); // k1 and k3; k4 is dirty
    expect(t.pendingCheckpoints).toBe(0);
    const back = await load(new StateMemoryBudget(1 << 20));
    expect(contents(back)).toEqual([
      [1, 'ONE'],
      [3, 'three'],
    ]);
    await checkpoint(t);
    expect(budget.count).toBe(3);
    expect(() => t.checkpointCommitted()).toThrow(InternalError);
  });

  it('a value written again after its checkpoint stays until the newer one commits', async () => {
    const budget = new StateMemoryBudget(0);
    const t = await load(budget);
    t.put(k(1), 'a');
    const first = t.takeCheckpoint();
    t.put(k(1), 'b');
    await store.write(first);
    t.checkpointCommitted();
    expect(t.get(k(1))).toBe('b');
    expect(t.dirtyCount).toBe(1);
    await checkpoint(t);
    expect(budget.evictions).toBe(1);
    expect(t.get(k(1))).toBe('b');
  });

  it('shares one budget across tables, least recently used first', async () => {
    const value = (c: string): string => c.repeat(100); // 102 bytes encoded
    const budget = new StateMemoryBudget(350);
    const a = await load(budget, PREFIX);
    const b = await load(budget, OTHER);
    a.put(k(1), value('a'));
    b.put(k(1), value('b'));
    a.put(k(2), value('A'));
    await checkpoint(a);
    await checkpoint(b);
    expect(budget.used).toBe(306);
    a.get(k(1)); // oldest first: A2 b1 a1 (a's checkpoint committed first)
    b.get(k(1)); // A2 a1 b1
    const reads: number[] = [];
    const original = Store.prototype.getSync;
    const tracked = vi.spyOn(store, 'getSync').mockImplementation((key: Uint8Array) => {
      reads.push(key[4]! * 1000 + num(key.subarray(5)));
      return original.call(store, key);
    });
    const c = await load(budget, new Uint8Array([0x04, 0, 0, 0, 9]));
    c.put(k(1), value('c'));
    await checkpoint(c); // over the limit: A2, the oldest, goes -> a1 b1 c1
    expect(budget.evictions).toBe(1);
    expect(a.get(k(1))).toBe(value('a'));
    expect(b.get(k(1))).toBe(value('b'));
    expect(reads).toEqual([]);
    // Oldest first: c1 a1 b1 after the two hits above. A value read back from
    // LevelDB also keeps its stored bytes (for the checkpoint undo): 204 counted.
    expect(a.get(k(2))).toBe(value('A')); // read back; c1 and a1 (the oldest) go
    expect(reads).toEqual([7002]);
    expect(budget.evictions).toBe(3);
    expect(budget.used).toBe(306);
    expect(b.get(k(1))).toBe(value('b')); // still cached: A2 b1
    expect(reads).toEqual([7002]);
    expect(c.get(k(1))).toBe(value('c')); // read back, evicting the oldest (A2)
    expect(reads).toEqual([7002, 9001]);
    expect(budget.evictions).toBe(4);
    expect(b.get(k(1))).toBe(value('b'));
    expect(a.get(k(1))).toBe(value('a')); // read back: c1 goes
    expect(reads).toEqual([7002, 9001, 7001]);
    expect(budget.evictions).toBe(5);
    expect(budget.used).toBeLessThanOrEqual(350);
    tracked.mockRestore();
  });

  it('destroy removes every key of the prefix and nothing else', async () => {
    const budget = new StateMemoryBudget(1 << 20);
    const a = await load(budget, PREFIX);
    const b = await load(budget, OTHER);
    for (let i = 0; i < 20; i++) {
      a.put(k(i), i);
      b.put(k(i), -i);
    }
    await checkpoint(a);
    await checkpoint(b);
    await a.destroy();
    expect(budget.count).toBe(20);
    expect(a.size).toBe(0);
    expect(() => a.put(k(1), 1)).toThrow(InternalError);
    expect((await load(budget, PREFIX)).size).toBe(0);
    const other = await load(new StateMemoryBudget(1 << 20), OTHER);
    expect(other.size).toBe(20);
    expect(other.get(k(19))).toBe(-19);
  });

  it.each([
    ['a tiny budget', 2000, 42],
    ['no budget', 0, 7],
    ['a budget holding everything', 1 << 20, 99],
  ])('matches a model under random operations, checkpoints, reloads and %s', async (_name, limit, firstSeed) => {
    let seed = firstSeed;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const budget = new StateMemoryBudget(limit);
    let t = await load(budget);
    const model = new Map<number, StateValue>();
    let committed = new Map<number, StateValue>();
    const inFlight: { ops: ReturnType<typeof t.takeCheckpoint>; snapshot: Map<number, StateValue> }[] = [];
    for (let step = 0; step < 4000; step++) {
      const r = rand(100);
      const key = rand(300);
      if (r < 45) {
        const v: StateValue = [key, step, 'p'.repeat(rand(60))];
        t.put(k(key), v);
        model.set(key, v);
      } else if (r < 60) {
        t.delete(k(key));
        model.delete(key);
      } else if (r < 85) {
        expect(t.get(k(key))).toEqual(model.get(key));
      } else if (r < 90) {
        const lo = rand(300);
        const hi = lo + rand(100);
        const got = [...t.scan({ gte: k(lo), lt: k(hi) })].map(([kk, v]) => [num(kk), v]);
        const want = [...model].filter(([n]) => n >= lo && n < hi).sort((x, y) => x[0] - y[0]);
        expect(got).toEqual(want);
      } else if (r < 95) {
        inFlight.push({ ops: t.takeCheckpoint(), snapshot: new Map(model) });
      } else if (r < 99) {
        const cp = inFlight.shift();
        if (cp !== undefined) {
          await store.write(cp.ops);
          t.checkpointCommitted();
          committed = cp.snapshot;
        }
      } else {
        // Crash: drop the table and whatever was not committed, restore.
        inFlight.length = 0;
        t.close();
        t = await load(budget);
        model.clear();
        for (const [kk, v] of committed) model.set(kk, v);
        expect(t.size).toBe(model.size);
      }
      expect(t.size).toBe(model.size);
      expect(budget.used).toBeLessThanOrEqual(budget.limit);
    }
    expect(contents(t)).toEqual([...model].sort((x, y) => x[0] - y[0]));
  });
});

describe('LevelStateTable restored keys', () => {
  it('merges restored and added keys in scans, and deletes and re-puts restored keys', async () => {
    const t = await load();
    for (let i = 0; i < 100; i += 2) t.put(k(i), i);
    await checkpoint(t);
    const budget = new StateMemoryBudget(1 << 20);
    const back = await load(budget);
    expect(budget.used).toBe(32 * 2 + 18 * 3);
    for (let i = 1; i < 100; i += 10) back.put(k(i), -i);
    back.delete(k(10));
    back.delete(k(10));
    back.delete(k(11));
    back.delete(k(12));
    back.put(k(12), 'again');
    back.put(k(40), 'changed');
    expect(back.size).toBe(50 + 10 - 2);
    const want: [number, StateValue][] = [];
    for (let i = 0; i < 100; i++) {
      if (i === 10 || i === 11) continue;
      if (i === 12) want.push([i, 'again']);
      else if (i === 40) want.push([i, 'changed']);
      else if (i % 2 === 0) want.push([i, i]);
      else if (i % 10 === 1) want.push([i, -i]);
    }
    expect(contents(back)).toEqual(want);
    expect([...back.scan({ gte: k(9), lt: k(22) })].map(([key]) => num(key))).toEqual([12, 14, 16, 18, 20, 21]);
    expect(back.get(k(10))).toBeUndefined();
    expect(back.get(k(12))).toBe('again');
    // A restored key deleted and put again is one put; its bytes no longer count in the budget.
    const ops = back.takeCheckpoint();
    const byKey = new Map(ops.map((o) => [num(o.key.subarray(PREFIX.length)), o.type]));
    expect([byKey.get(10), byKey.get(12), byKey.get(40), byKey.get(11), byKey.get(21)]).toEqual(['del', 'put', 'put', 'del', 'put']);
    expect(ops.length).toBe(10 + 3);
    await store.write(ops);
    back.checkpointCommitted();
    expect(contents(await load())).toEqual(want);
  });

  it('finds restored keys of any length, the empty key included, and orders prefixes first', async () => {
    const keys = [[], [0], [0, 0], [1], [1, 0], [1, 0, 0], [1, 255], [2], [255, 255, 255, 255, 255]].map((b) => new Uint8Array(b));
    const t = await load();
    for (let i = keys.length - 1; i >= 0; i--) t.put(keys[i]!, i);
    await checkpoint(t);
    const back = await load();
    expect(back.size).toBe(keys.length);
    for (let i = 0; i < keys.length; i++) expect(back.get(keys[i]!)).toBe(i);
    expect(back.get(new Uint8Array([1, 0, 0, 0]))).toBeUndefined();
    expect(back.get(new Uint8Array([3]))).toBeUndefined();
    expect([...back.scan()].map(([, v]) => v)).toEqual(keys.map((_, i) => i));
    expect([...back.scan({ gte: new Uint8Array([1]), lt: new Uint8Array([1, 255]) })].map(([, v]) => v)).toEqual([3, 4, 5]);
    expect([...back.scan({ gte: new Uint8Array([0, 1]), lt: new Uint8Array([2]) })].map(([, v]) => v)).toEqual([3, 4, 5, 6]);
    back.put(new Uint8Array([1, 0, 0, 0]), 'added');
    back.delete(new Uint8Array([]));
    expect([...back.scan({ lt: new Uint8Array([1, 1]) })].map(([, v]) => v)).toEqual([1, 2, 3, 4, 5, 'added']);
  });

  it('evicts blocks of restored values under pressure and reads those values from LevelDB', async () => {
    const t = await load();
    const value = (i: number): StateValue => ({ i, pad: 'y'.repeat(200) });
    for (let i = 0; i < 20000; i++) t.put(k(i), value(i));
    await checkpoint(t);
    const budget = new StateMemoryBudget(5 << 20, { deferred: true });
    const back = await load(budget);
    expect(back.size).toBe(20000);
    const restoredBytes = budget.used;
    expect(restoredBytes).toBeGreaterThan(20000 * 200);
    // Values decoded from the restored blocks move their bytes from the block to the value.
    expect(back.get(k(5))).toEqual(value(5));
    expect(budget.used).toBe(restoredBytes);
    // Dirty values are not counted; committed ones are, and trimming evicts the oldest: restored blocks first.
    for (let i = 0; i < 20000; i += 2) back.put(k(i), { i, pad: 'z'.repeat(300) });
    await checkpoint(back);
    expect(budget.used).toBeGreaterThan(budget.limit);
    budget.trim();
    expect(budget.used).toBeLessThanOrEqual(budget.limit);
    const sync = vi.spyOn(store, 'getSync');
    expect(back.get(k(1))).toEqual(value(1));
    expect(sync).toHaveBeenCalledTimes(1);
    sync.mockRestore();
    const all = contents(back);
    expect(all.length).toBe(20000);
    for (const [n, v] of all) expect(v).toEqual(n % 2 === 0 ? { i: n, pad: 'z'.repeat(300) } : value(n));
  });
});

describe('LevelStateTable loading and prefetch', () => {
  it('reads only keys once the budget is full, and serves the rest from LevelDB', async () => {
    const t = await load();
    for (let i = 0; i < 3000; i++) t.put(k(i), i % 2 === 0 ? 'even'.repeat(10) : [i, 'odd']);
    await checkpoint(t);
    const budget = new StateMemoryBudget(4000);
    const keysSpy = vi.spyOn(store, 'bulkKeys');
    const back = await load(budget);
    expect(keysSpy).toHaveBeenCalledTimes(1);
    keysSpy.mockRestore();
    expect(back.size).toBe(3000);
    expect(budget.used).toBeGreaterThan(3900);
    expect(budget.used).toBeLessThanOrEqual(4000);
    expect(budget.evictions).toBe(0);
    expect(contents(back)).toEqual(contents(t));
    // A budget that holds everything never reads keys separately.
    const keysSpy2 = vi.spyOn(store, 'bulkKeys');
    await load(new StateMemoryBudget(1 << 30));
    expect(keysSpy2).not.toHaveBeenCalled();
    keysSpy2.mockRestore();
  });

  it('prefetch makes the next synchronous reads hit memory', async () => {
    const t = await load();
    for (let i = 0; i < 500; i++) t.put(k(i), { i });
    await checkpoint(t);
    const budget = new StateMemoryBudget(200 * 6);
    const back = await load(budget); // the first ~200 values cached
    const wanted = [k(450), k(451), k(451), k(3), k(9999)];
    const sync = vi.spyOn(store, 'getSync');
    await back.prefetch(wanted);
    expect(back.get(k(450))).toEqual({ i: 450 });
    expect(back.get(k(451))).toEqual({ i: 451 });
    expect(back.get(k(3))).toEqual({ i: 3 });
    expect(back.get(k(9999))).toBeUndefined();
    expect(sync).not.toHaveBeenCalled();
    expect(back.get(k(452))).toEqual({ i: 452 });
    expect(sync).toHaveBeenCalledTimes(1);
    sync.mockRestore();
  });

  it('prefetch keeps a value written or deleted while it ran', async () => {
    const t = await load();
    t.put(k(1), 'old1');
    t.put(k(2), 'old2');
    await checkpoint(t);
    const back = await load(new StateMemoryBudget(0));
    const pending = back.prefetch([k(1), k(2)]);
    back.put(k(1), 'new1');
    back.delete(k(2));
    await pending;
    expect(back.get(k(1))).toBe('new1');
    expect(back.get(k(2))).toBeUndefined();
    expect(back.size).toBe(1);
  });
});

describe('LevelStateTable range prefetch and currency', () => {
  it('prefetchRange caches the evicted values of a range up to the budget', async () => {
    const t = await load();
    for (let i = 0; i < 1000; i++) t.put(k(i), i);
    await checkpoint(t);
    const budget = new StateMemoryBudget(600); // INT values: 2 bytes below 64, 3 bytes above
    const back = await load(budget);
    // The first 64 values and as many 3-byte ones as fit, kept as restored bytes.
    expect(budget.used).toBe(128 + 3 * Math.floor((600 - 128) / 3));
    await back.prefetchRange({ gte: k(500), lt: k(550) });
    const sync = vi.spyOn(store, 'getSync');
    expect([...back.scan({ gte: k(500), lt: k(550) })].map(([, v]) => v)).toEqual(Array.from({ length: 50 }, (_, j) => 500 + j));
    expect(sync).not.toHaveBeenCalled();
    // A range larger than the budget stops at the budget.
    await back.prefetchRange({ gte: k(600) });
    expect(budget.used).toBeLessThanOrEqual(600);
    expect(back.get(k(600))).toBe(600);
    expect(sync).not.toHaveBeenCalled();
    expect(back.get(k(999))).toBe(999);
    expect(sync).toHaveBeenCalledTimes(1);
    sync.mockRestore();
    await back.prefetchRange();
    expect(contents(back)).toEqual(Array.from({ length: 1000 }, (_, i) => [i, i]));
  });

  it('drops prefetched values when a checkpoint committed while the read ran', async () => {
    const t = await load();
    t.put(k(0), 'z'.repeat(8)); // 10 bytes encoded
    t.put(k(1), 'v1'); // 4 bytes
    await checkpoint(t);
    const budget = new StateMemoryBudget(10);
    const back = await load(budget); // caches k0 only
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const realGetMany = store.getMany.bind(store);
    const spy = vi.spyOn(store, 'getMany').mockImplementation(async (keys) => {
      const got = await realGetMany(keys); // reads 'v1'
      await gate;
      return got;
    });
    const pending = back.prefetch([k(1)]);
    await new Promise((r) => setTimeout(r, 20));
    back.put(k(1), 'v2');
    back.put(k(2), 'y'.repeat(8));
    await checkpoint(back); // commits 'v2', then k2's value pushes k1 out of the cache
    release();
    await pending;
    spy.mockRestore();
    expect(back.get(k(1))).toBe('v2');
  });
});

describe('LevelStateTable point-only (lazy restore)', () => {
  async function lazy(budget = new StateMemoryBudget(1 << 30)): Promise<LevelStateTable<StateValue>> {
    return LevelStateTable.load(store, PREFIX, stateValueCodec, budget, { pointOnly: true });
  }

  it('reads nothing at load, each key at its first get, and caches absences', async () => {
    const t = await load();
    for (let i = 0; i < 100; i++) t.put(k(i), { i });
    await checkpoint(t);
    const bulk = vi.spyOn(store, 'bulkEntries');
    const sync = vi.spyOn(store, 'getSync');
    const back = await lazy();
    expect(bulk).not.toHaveBeenCalled();
    expect(sync).not.toHaveBeenCalled();
    expect(back.get(k(7))).toEqual({ i: 7 });
    expect(back.get(k(7))).toEqual({ i: 7 });
    expect(back.get(k(500))).toBeUndefined();
    expect(back.get(k(500))).toBeUndefined();
    expect(sync).toHaveBeenCalledTimes(2);
    bulk.mockRestore();
    sync.mockRestore();
  });

  it('scan and size throw InternalError', async () => {
    const t = await lazy();
    t.put(k(1), 1);
    expect(() => [...t.scan()]).toThrow(InternalError);
    expect(() => t.size).toThrow(InternalError);
    await expect(t.prefetchRange()).rejects.toThrow(InternalError);
  });

  it('keeps puts and deletes across checkpoints and reloads', async () => {
    const t = await load();
    for (let i = 0; i < 50; i++) t.put(k(i), i);
    await checkpoint(t);
    const a = await lazy();
    expect(a.get(k(3))).toBe(3);
    a.put(k(3), 'three');
    a.delete(k(4)); // never read: the delete is written anyway
    a.put(k(100), 100); // never read, absent
    expect(a.get(k(200))).toBeUndefined();
    a.put(k(200), 200); // a cached absence becomes a value
    a.delete(k(5));
    a.put(k(5), 'five'); // delete then put in one checkpoint
    expect(a.get(k(4))).toBeUndefined();
    await checkpoint(a);
    const b = await load();
    const want = new Map<number, StateValue>();
    for (let i = 0; i < 50; i++) want.set(i, i);
    want.set(3, 'three');
    want.delete(4);
    want.set(100, 100);
    want.set(200, 200);
    want.set(5, 'five');
    expect(contents(b)).toEqual([...want.entries()].sort((x, y) => x[0] - y[0]));
  });

  it('a pending delete shadows the stored value until it is durable, even under eviction', async () => {
    const t = await load();
    for (let i = 0; i < 20; i++) t.put(k(i), 'v'.repeat(100));
    await checkpoint(t);
    const budget = new StateMemoryBudget(400);
    const a = await LevelStateTable.load(store, PREFIX, stateValueCodec, budget, { pointOnly: true });
    expect(a.get(k(1))).toBe('v'.repeat(100));
    a.delete(k(1));
    const ops = a.takeCheckpoint();
    // Not written yet: other reads evict what they can, k(1) must stay absent.
    for (let i = 2; i < 20; i++) expect(a.get(k(i))).toBe('v'.repeat(100));
    expect(a.get(k(1))).toBeUndefined();
    await store.write(ops);
    a.checkpointCommitted();
    for (let i = 2; i < 20; i++) expect(a.get(k(i))).toBe('v'.repeat(100));
    expect(budget.used).toBeLessThanOrEqual(400);
    expect(a.get(k(1))).toBeUndefined();
  });

  it('evicted entries leave the table and are read again', async () => {
    const t = await load();
    for (let i = 0; i < 1000; i++) t.put(k(i), { i, pad: 'p'.repeat(50) });
    await checkpoint(t);
    const budget = new StateMemoryBudget(4096);
    const a = await LevelStateTable.load(store, PREFIX, stateValueCodec, budget, { pointOnly: true });
    for (let round = 0; round < 2; round++) for (let i = 0; i < 1000; i++) expect(a.get(k(i))).toEqual({ i, pad: 'p'.repeat(50) });
    expect(budget.used).toBeLessThanOrEqual(4096);
    expect(budget.evictions).toBeGreaterThan(1900);
    for (let i = 0; i < 1000; i += 3) {
      const v = a.get(k(i)) as { i: number; pad: string };
      a.put(k(i), { ...v, pad: 'q' });
    }
    await checkpoint(a);
    for (let i = 0; i < 1000; i++) expect(a.get(k(i))).toEqual({ i, pad: i % 3 === 0 ? 'q' : 'p'.repeat(50) });
  });

  it('prefetch reads missing keys, present or absent, with one getMany', async () => {
    const t = await load();
    for (let i = 0; i < 10; i++) t.put(k(i), i);
    await checkpoint(t);
    const a = await lazy();
    const many = vi.spyOn(store, 'getMany');
    await a.prefetch([k(1), k(2), k(1), k(50)]);
    expect(many).toHaveBeenCalledTimes(1);
    many.mockRestore();
    const sync = vi.spyOn(store, 'getSync');
    expect(a.get(k(1))).toBe(1);
    expect(a.get(k(2))).toBe(2);
    expect(a.get(k(50))).toBeUndefined();
    expect(sync).not.toHaveBeenCalled();
    sync.mockRestore();
  });
});

describe('LevelStateTable overwritten values (for the checkpoint undo)', () => {
  const bytesOf = (v: StateValue): number[] => [...stateValueCodec.encode(v)];
  const plain = (olds: (Uint8Array | null | undefined)[]): (number[] | null | undefined)[] => olds.map((o) => (o instanceof Uint8Array ? [...o] : o));

  it('tells new keys absent, restored ones by their stored bytes, blind point-only writes unknown', async () => {
    const t = await load();
    t.put(k(1), 'one');
    t.put(k(2), 'two');
    const first: (Uint8Array | null | undefined)[] = [];
    await store.write(t.takeCheckpoint(first));
    t.checkpointCommitted();
    expect(first).toEqual([null, null]);
    // Written by the checkpoint before: stored, bytes not kept (the undo has them from that checkpoint).
    t.put(k(1), 'uno');
    t.delete(k(2));
    t.put(k(3), 'three');
    const second: (Uint8Array | null | undefined)[] = [];
    const ops = t.takeCheckpoint(second);
    await store.write(ops);
    t.checkpointCommitted();
    expect(ops.map((op) => [op.type, num(op.key.subarray(PREFIX.length))])).toEqual([
      ['put', 1],
      ['del', 2],
      ['put', 3],
    ]);
    expect(second).toEqual([undefined, undefined, null]);
    // Deleted and committed: absent again.
    t.put(k(2), 'dos');
    const third: (Uint8Array | null | undefined)[] = [];
    await store.write(t.takeCheckpoint(third));
    t.checkpointCommitted();
    expect(third).toEqual([null]);

    const eager = await load();
    eager.get(k(1));
    eager.put(k(1), 'ein'); // decoded from a restored block by a read: its bytes are not kept
    eager.put(k(3), 'drei'); // written without a read: known from the block
    eager.put(k(9), 'neun');
    const fourth: (Uint8Array | null | undefined)[] = [];
    eager.takeCheckpoint(fourth);
    expect(plain(fourth)).toEqual([undefined, bytesOf('three'), null]);

    const point = await LevelStateTable.load(store, PREFIX, stateValueCodec, new StateMemoryBudget(1 << 20), { pointOnly: true });
    expect(point.get(k(1))).toBe('uno');
    point.put(k(1), 'un');
    expect(point.get(k(8))).toBeUndefined();
    point.put(k(8), 'huit');
    point.put(k(3), 'trois'); // blind: unknown
    point.delete(k(2)); // blind: unknown
    const fifth: (Uint8Array | null | undefined)[] = [];
    point.takeCheckpoint(fifth);
    expect(plain(fifth)).toEqual([bytesOf('uno'), null, undefined, undefined]);
  });
});

describe('LevelStateTable snapshot (ordered read of a point-only table)', () => {
  async function lazy(budget = new StateMemoryBudget(1 << 30)): Promise<LevelStateTable<StateValue>> {
    return LevelStateTable.load(store, PREFIX, stateValueCodec, budget, { pointOnly: true });
  }

  async function read(t: LevelStateTable<StateValue>, range = {}, size = 3): Promise<StateValue[]> {
    const out: StateValue[] = [];
    for await (const batch of t.snapshot(range, size)) for (const v of batch) out.push(v);
    return out;
  }

  it('merges what LevelDB holds with dirty and uncommitted entries, in key order, deletes hidden', async () => {
    const t = await lazy();
    for (let i = 0; i < 20; i += 2) t.put(k(i), i);
    await checkpoint(t);
    const other = await LevelStateTable.load(store, OTHER, stateValueCodec, new StateMemoryBudget(1 << 20));
    other.put(k(1), 'not mine');
    await checkpoint(other);
    t.put(k(4), 'four'); // dirty overwrite
    t.delete(k(6)); // dirty delete
    t.put(k(7), 7); // dirty new key
    const pending = t.takeCheckpoint(); // pending (not committed) from here on
    t.put(k(8), 'eight'); // dirty on top of a pending-free stored value
    t.put(k(25), 25); // after every stored key
    t.delete(k(0)); // the first key
    const want: [number, StateValue][] = [[2, 2], [4, 'four'], [7, 7], [8, 'eight'], [10, 10], [12, 12], [14, 14], [16, 16], [18, 18], [25, 25]];
    expect(await read(t)).toEqual(want.map(([, v]) => v));
    expect(await read(t, { gte: k(5), lt: k(16) })).toEqual(want.filter(([n]) => n >= 5 && n < 16).map(([, v]) => v));
    await store.write(pending);
    t.checkpointCommitted();
    expect(await read(t, {}, 100)).toEqual(want.map(([, v]) => v));
    // Committed and not written since: read from LevelDB alone.
    await checkpoint(t);
    expect(await read(t, { gte: k(3) })).toEqual(want.slice(1).map(([, v]) => v));
  });

  it('sees the table as of the call, whatever is written or committed while it is read', async () => {
    const t = await lazy();
    for (let i = 0; i < 5000; i++) t.put(k(i), i);
    await checkpoint(t);
    t.put(k(1), 'changed');
    const snap = t.snapshot({}, 1000);
    const first = await snap.next();
    // Meanwhile: more writes, a committed checkpoint rewriting and deleting keys, a new key.
    for (let i = 0; i < 5000; i += 7) t.put(k(i), -i);
    t.delete(k(4999));
    t.put(k(6000), 'new');
    await checkpoint(t);
    const seen: StateValue[] = [];
    if (first.done !== true) for (const v of first.value) seen.push(v);
    for await (const batch of snap) for (const v of batch) seen.push(v);
    expect(seen.length).toBe(5000);
    expect(seen.every((v, i) => v === (i === 1 ? 'changed' : i))).toBe(true);
    // A fresh snapshot sees the new contents.
    const now = await read(t, {}, 1000);
    expect(now.length).toBe(5000);
    expect(now[7]).toBe(-7);
    expect(now.at(-1)).toBe('new');
  });

  it('a snapshot stopped early closes its iterator', async () => {
    const t = await lazy();
    for (let i = 0; i < 3000; i++) t.put(k(i), i);
    await checkpoint(t);
    for await (const batch of t.snapshot({}, 10)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(await read(t, { lt: k(3) })).toEqual([0, 1, 2]);
    // The same with an overlay (entries merged by key).
    t.put(k(1), 'one');
    for await (const batch of t.snapshot({}, 10)) {
      expect(batch.slice(0, 3)).toEqual([0, 'one', 2]);
      break;
    }
  });

  it('an eagerly loaded table snapshots its scan', async () => {
    const t = await load();
    for (const n of [3, 1, 2]) t.put(k(n), n);
    const snap = t.snapshot();
    t.put(k(0), 0);
    const got: StateValue[] = [];
    for await (const batch of snap) for (const v of batch) got.push(v);
    expect(got).toEqual([1, 2, 3]);
  });
});

describe('LevelStateTable point-only over an empty prefix', () => {
  it('knows absent keys without reading LevelDB until a present value is evicted', async () => {
    const budget = new StateMemoryBudget(200);
    const t = await LevelStateTable.load(store, PREFIX, stateValueCodec, budget, { pointOnly: true });
    const sync = vi.spyOn(store, 'getSync');
    expect(t.get(k(1))).toBeUndefined();
    t.put(k(1), 'x'.repeat(50));
    t.delete(k(2)); // absent: nothing to write
    const olds: (Uint8Array | null | undefined)[] = [];
    const ops = t.takeCheckpoint(olds);
    expect(ops.map((op) => op.type)).toEqual(['put']);
    expect(olds).toEqual([null]);
    await store.write(ops);
    t.checkpointCommitted();
    expect(sync).not.toHaveBeenCalled();
    // Fill the budget past its limit: k(1) is evicted, so absent keys are read from LevelDB from now on.
    for (let i = 10; i < 20; i++) t.put(k(i), 'y'.repeat(50));
    await checkpoint(t);
    budget.trim();
    expect(t.get(k(1))).toBe('x'.repeat(50));
    expect(t.get(k(3))).toBeUndefined();
    expect(sync).toHaveBeenCalled();
    sync.mockRestore();
  });
});
