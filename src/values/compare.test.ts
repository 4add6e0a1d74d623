import { describe, expect, it } from 'vitest';
import { arrayOf, BIGINT, BYTES, decimal, DOUBLE, INT, STRING, type SqlType } from '../../catalog/types.ts';
import { compareStrings, compareValues, hashRow, hashValue, rowsEqual, valuesEqual } from './compare.ts';

describe('compareValues', () => {
  it('floats: NaN largest and equal to itself, -0 = 0', () => {
    const sorted = [NaN, Infinity, 1, -0, -Infinity].sort((a, b) => compareValues(a, b, DOUBLE));
    expect(sorted).toEqual([-Infinity, -0, 1, Infinity, NaN]);
    expect(valuesEqual(NaN, NaN, DOUBLE)).toBe(true);
    expect(valuesEqual(-0, 0, DOUBLE)).toBe(true);
    expect(hashValue(-0, DOUBLE)).toBe(hashValue(0, DOUBLE));
    expect(hashValue(NaN, DOUBLE)).toBe(hashValue(-NaN, DOUBLE));
  });

  it('strings by code point, not UTF-16 unit', () => {
    expect(compareStrings('\uffff', '😀')).toBeLessThan(0);
    expect('\uffff' < '😀').toBe(false);
    expect(compareStrings('a', 'ab')).toBeLessThan(0);
    expect(compareStrings('b', 'ab')).toBeGreaterThan(0);
  });

  it('arrays: element-wise, NULL element largest, then length', () => {
    const t = arrayOf(INT);
    expect(compareValues([1, 2], [1, 3], t)).toBeLessThan(0);
    expect(compareValues([1], [1, 0], t)).toBeLessThan(0);
    expect(compareValues([1, null], [1, 5], t)).toBeGreaterThan(0);
    expect(valuesEqual([1, null], [1, null], t)).toBe(true);
  });

  it('bigint, decimal and bytes', () => {
    expect(compareValues(-(2n ** 70n), 5n, decimal(38, 0))).toBeLessThan(0);
    expect(compareValues(new Uint8Array([1]), new Uint8Array([1, 0]), BYTES)).toBeLessThan(0);
  });

  it('hashes agree with equality', () => {
    const types: SqlType[] = [INT, BIGINT, STRING, DOUBLE];
    const a = [1, 2n ** 40n, 'x', 1.5];
    const b = [1, 2n ** 40n, 'x', 1.5];
    expect(rowsEqual(a, b, types)).toBe(true);
    expect(hashRow(a, types)).toBe(hashRow(b, types));
    expect(hashRow([null, 1n, 'y', 2], types, [0])).toBe(hashRow([null, 5n, 'z', 3], types, [0]));
    expect(hashRow([1, 1n, 'y', 2], types, [0, 2])).not.toBe(hashRow([1, 1n, 'z', 2], types, [0, 2]));
    expect(hashValue(2n ** 40n, BIGINT)).not.toBe(hashValue(2n ** 40n + 1n, BIGINT));
    expect(hashValue('ab', STRING)).not.toBe(hashValue('ba', STRING));
    // Distribution sanity: 1000 ints give (nearly) distinct hashes.
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(hashValue(i, INT));
    expect(seen.size).toBeGreaterThan(995);
  });
});
