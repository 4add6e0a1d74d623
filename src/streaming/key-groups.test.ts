import { describe, expect, it } from 'vitest';
import { INT, STRING as VARCHAR } from '../../catalog/types.ts';
import { encodeKey } from '../values/key-codec.ts';
import { instanceOfKeyGroup, KEY_GROUPS, KeyGroupSelector, keyGroupOf, keyGroupRange, keyGroupRangeOf, inKeyGroup, scanKeyGroups } from './key-groups.ts';
import { MemoryStateTable } from './state-table.ts';

describe('key groups', () => {
  it('split every key group over the instances, contiguously and evenly, and route back to their owner', () => {
    for (const n of [1, 2, 3, 4, 7, 64, 100, 128]) {
      let next = 0;
      for (let i = 0; i < n; i++) {
        const r = keyGroupRangeOf(i, n);
        expect(r.first).toBe(next);
        const size = r.last - r.first + 1;
        expect(size === Math.floor(KEY_GROUPS / n) || size === Math.ceil(KEY_GROUPS / n)).toBe(true);
        for (let g = r.first; g <= r.last; g++) expect(instanceOfKeyGroup(g, n)).toBe(i);
        next = r.last + 1;
      }
      expect(next).toBe(KEY_GROUPS);
    }
    expect(() => keyGroupRangeOf(0, 129)).toThrow();
    expect(() => keyGroupRangeOf(2, 2)).toThrow();
  });

  it('spread keys over all groups, stably', () => {
    const counts = new Array<number>(KEY_GROUPS).fill(0);
    for (let k = 0; k < 12800; k++) counts[keyGroupOf(encodeKey([k], [INT]))]!++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
    // Persisted through the state layout: these values must never change.
    expect([1, 2, 3, 'a', 'b'].map((v) => keyGroupOf(encodeKey([v], [typeof v === 'number' ? INT : VARCHAR])))).toEqual([90, 39, 74, 56, 74]);
  });

  it('a selector encodes the chosen columns as the operator does', () => {
    const s = new KeyGroupSelector([2, 0], [VARCHAR, INT]);
    expect(s.of([7, 'x', 'k'])).toBe(keyGroupOf(encodeKey(['k', 7], [VARCHAR, INT])));
  });

  it('scans key group by key group, within a range of the keys inside each group', () => {
    const t = new MemoryStateTable<string>();
    for (const g of [0, 5, 6, 127]) for (const k of [1, 2, 3]) t.put(inKeyGroup(g, encodeKey([k], [INT])), `${g}/${k}`);
    const all = [...scanKeyGroups(t, { first: 5, last: 127 })].map(([g, , v]) => `${g}:${v}`);
    expect(all).toEqual(['5:5/1', '5:5/2', '5:5/3', '6:6/1', '6:6/2', '6:6/3', '127:127/1', '127:127/2', '127:127/3']);
    const some = [...scanKeyGroups(t, { first: 0, last: 6 }, { gte: encodeKey([2], [INT]), lt: encodeKey([3], [INT]) })].map(([, , v]) => v);
    expect(some).toEqual(['0/2', '5/2', '6/2']);
    expect(keyGroupRange(127).lt).toEqual(Uint8Array.of(128));
  });
});
