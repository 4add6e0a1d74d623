import { describe, expect, it } from 'vitest';
import { INT, STRING } from '../../catalog/types.ts';
import { compareKeys, encodeKey } from '../values/key-codec.ts';
import { concatKeys, MemoryStateTable, prefixRange } from './state-table.ts';

const k = (...v: (number | string | null)[]) => encodeKey(v, v.map((x) => (typeof x === 'string' ? STRING : INT)));

describe('MemoryStateTable', () => {
  it('gets, puts, overwrites and deletes by key bytes', () => {
    const t = new MemoryStateTable<string>();
    t.put(k(1), 'a');
    t.put(k(2), 'b');
    t.put(k(1), 'c');
    expect(t.size).toBe(2);
    expect(t.get(k(1))).toBe('c');
    expect(t.get(Uint8Array.from(k(2)))).toBe('b');
    t.delete(k(1));
    t.delete(k(7));
    expect(t.get(k(1))).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('does not alias the caller’s key buffer', () => {
    const t = new MemoryStateTable<number>();
    const key = k(5);
    t.put(key, 1);
    key[1] = 0xff;
    expect(t.get(k(5))).toBe(1);
  });

  it('scans in SQL key order, with ranges and prefixes', () => {
    const t = new MemoryStateTable<number>();
    for (const n of [5, -3, 10, 0, null, 7]) t.put(k(n), n ?? -999);
    expect([...t.scan()].map(([, v]) => v)).toEqual([-999, -3, 0, 5, 7, 10]);
    expect([...t.scan({ gte: k(0), lt: k(7) })].map(([, v]) => v)).toEqual([0, 5]);
    expect([...t.scan({ gte: k(6) })].map(([, v]) => v)).toEqual([7, 10]);
    t.delete(k(5));
    t.put(k(6), 6);
    expect([...t.scan({ lt: k(7) })].map(([, v]) => v)).toEqual([-999, -3, 0, 6]);

    const u = new MemoryStateTable<string>();
    for (const [a, b] of [['x', 'b'], ['x', 'a'], ['xy', 'a'], ['w', 'z']] as const) u.put(concatKeys(k(a), k(b)), a + b);
    expect([...u.scan(prefixRange(k('x')))].map(([, v]) => v)).toEqual(['xa', 'xb']);
  });

  it('matches a sorted-array model under random operations', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const t = new MemoryStateTable<number>();
    const model = new Map<number, number>();
    for (let step = 0; step < 3000; step++) {
      const key = rnd(200) - 100;
      const op = rnd(3);
      if (op === 0) {
        t.delete(k(key));
        model.delete(key);
      } else {
        t.put(k(key), step);
        model.set(key, step);
      }
      if (step % 97 === 0) {
        const lo = rnd(200) - 100;
        const got = [...t.scan({ gte: k(lo) })].map(([kk, v]) => [kk, v] as const);
        const want = [...model.entries()].filter(([x]) => x >= lo).sort((a, b) => a[0] - b[0]);
        expect(got.map(([, v]) => v)).toEqual(want.map(([, v]) => v));
        for (let i = 1; i < got.length; i++) expect(compareKeys(got[i - 1]![0], got[i]![0])).toBeLessThan(0);
      }
      expect(t.size).toBe(model.size);
    }
    for (const [key, v] of model) expect(t.get(k(key))).toBe(v);
  });

  it('prefixRange of all-0xff bytes is open-ended', () => {
    expect(prefixRange(Uint8Array.from([1, 0xff]))).toEqual({ gte: Uint8Array.from([1, 0xff]), lt: Uint8Array.from([2]) });
    expect(prefixRange(Uint8Array.from([0xff])).lt).toBeUndefined();
  });

  it('agrees with a Map through random puts and deletes (growth, probe runs, deletion shifts)', () => {
    const t = new MemoryStateTable<number>();
    const model = new Map<number, number>();
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 20000; step++) {
      const key = rand(600);
      if (rand(3) === 0) {
        t.delete(k(key));
        model.delete(key);
      } else {
        t.put(k(key), step);
        model.set(key, step);
      }
      if (step % 997 === 0) {
        for (let q = 0; q < 600; q++) expect(t.get(k(q))).toBe(model.get(q));
      }
    }
    expect(t.size).toBe(model.size);
    const scanned = [...t.scan()].map(([key, v]) => [key, v] as const);
    const expected = [...model.keys()].sort((a, b) => a - b);
    expect(scanned.map(([, v]) => v)).toEqual(expected.map((q) => model.get(q)));
    for (let i = 1; i < scanned.length; i++) expect(compareKeys(scanned[i - 1]![0], scanned[i]![0])).toBeLessThan(0);
  });
});
