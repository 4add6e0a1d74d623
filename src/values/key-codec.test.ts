import { describe, expect, it } from 'vitest';
import { decimal, INT, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import { CODEC_TYPES, randomValue, rng } from './codec.test-helpers.ts';
import { compareValues, valuesEqual } from './compare.ts';
import { compareKeys, decodeKey, encodeKey } from './key-codec.ts';

/** SQL order with NULL first (the key codec's top-level order). */
function sqlCompare(a: Value, b: Value, t: SqlType): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return Math.sign(compareValues(a, b, t));
}

describe('key codec', () => {
  it('bytewise order of encodings equals SQL order, per type, on random values', () => {
    const r = rng(42);
    for (const t of CODEC_TYPES) {
      const values = Array.from({ length: 80 }, () => randomValue(t, r));
      for (let i = 0; i < values.length; i++) {
        for (let j = 0; j < values.length; j++) {
          const a = values[i]!;
          const b = values[j]!;
          const ka = encodeKey([a], [t]);
          const kb = encodeKey([b], [t]);
          const expected = sqlCompare(a, b, t);
          expect(Math.sign(compareKeys(ka, kb)), `${t.kind} ${String(a)} vs ${String(b)}`).toBe(expected);
        }
      }
    }
  });

  it('round-trips (decode(encode(v)) is SQL-equal to v)', () => {
    const r = rng(3);
    for (let n = 0; n < 300; n++) {
      const row = CODEC_TYPES.map((t) => randomValue(t, r));
      const back = decodeKey(encodeKey(row, CODEC_TYPES), CODEC_TYPES);
      for (let i = 0; i < row.length; i++) {
        const a = row[i]!;
        const b = back[i]!;
        if (a === null || b === null) expect(b).toBe(a);
        else expect(valuesEqual(a, b, CODEC_TYPES[i]!), CODEC_TYPES[i]!.kind).toBe(true);
      }
    }
  });

  it('orders multi-column tuples lexicographically, prefix strings first', () => {
    const types = [STRING, INT];
    const tuples: Value[][] = [[null, 1], ['', 5], ['a', -1], ['a', 2], ['a\u0000', 0], ['ab', null], ['b', 0]];
    const keys = tuples.map((t) => encodeKey(t, types));
    for (let i = 1; i < keys.length; i++) expect(compareKeys(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
  });

  it('orders decimals beyond int64', () => {
    const t = decimal(38, 0);
    const vs = [-(10n ** 37n), -(2n ** 64n), -(2n ** 63n) - 1n, -(2n ** 63n), -1n, 0n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 70n, 10n ** 37n];
    const keys = vs.map((v) => encodeKey([v], [t]));
    for (let i = 1; i < keys.length; i++) expect(compareKeys(keys[i - 1]!, keys[i]!)).toBeLessThan(0);
    expect(vs.map((v, i) => decodeKey(keys[i]!, [t])[0])).toEqual(vs);
  });
});
