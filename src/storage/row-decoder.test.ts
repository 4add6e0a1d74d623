import { describe, expect, it } from 'vitest';
import { BIGINT, DOUBLE, INT, SMALLINT, STRING, TINYINT, type SqlType, type Value } from '../../catalog/types.ts';
import { CODEC_TYPES, randomValue, rng } from '../values/codec.test-helpers.ts';
import { decodeRow, encodeRow } from '../values/row-codec.ts';
import { rowDecoder } from './row-decoder.ts';

/** The reference: full decode, then pick. */
function pick(bytes: Uint8Array, types: readonly SqlType[], columns: readonly number[]): Value[] {
  const row = decodeRow(bytes, types);
  return columns.map((c) => row[c] ?? null);
}

const FLAT = CODEC_TYPES.filter((t) => !['DECIMAL', 'ARRAY', 'ROW', 'MAP'].includes(t.kind));

describe('rowDecoder', () => {
  it('decodes every flat type like decodeRow (all columns)', () => {
    const r = rng(11);
    const all = FLAT.map((_, i) => i);
    const decode = rowDecoder(FLAT, all);
    for (let n = 0; n < 500; n++) {
      const row: Value[] = FLAT.map((t) => randomValue(t, r));
      const bytes = encodeRow(row, FLAT);
      expect(decode(bytes)).toEqual(pick(bytes, FLAT, all));
      expect(decode(bytes)).toEqual(row);
    }
  });

  it('decodes random column subsets, in any order and with repeats, skipping the rest', () => {
    const r = rng(23);
    for (const types of [FLAT, CODEC_TYPES]) {
      for (let n = 0; n < 300; n++) {
        const width = 1 + Math.floor(r() * 5);
        const columns = Array.from({ length: width }, () => Math.floor(r() * types.length));
        const row: Value[] = types.map((t) => randomValue(t, r));
        const bytes = encodeRow(row, types);
        expect(rowDecoder(types, columns)(bytes)).toEqual(pick(bytes, types, columns));
      }
    }
  });

  it('reads integer edge values and non-ASCII strings exactly', () => {
    const types = [TINYINT, SMALLINT, INT, BIGINT, DOUBLE, STRING, STRING];
    const rows: Value[][] = [
      [-128, -32768, -2147483648, -(2n ** 63n), -0, 'é'.repeat(40), 'a😀'],
      [127, 32767, 2147483647, 2n ** 63n - 1n, Number.MIN_VALUE, 'x'.repeat(200), ''],
      [-1, -1, -1, -1n, NaN, 'plain ascii', '\u007f'],
      [0, 0, 0, 2n ** 53n + 1n, -Infinity, 'ab\u0000c', 'ü'],
      [null, null, null, -(2n ** 53n) - 3n, null, null, null],
    ];
    const all = types.map((_, i) => i);
    for (const row of rows) {
      const bytes = encodeRow(row, types);
      expect(rowDecoder(types, all)(bytes)).toEqual(row);
      expect(rowDecoder(types, [6, 3])(bytes)).toEqual([row[6], row[3]]);
    }
  });

  it('rejects truncated and over-long encodings', () => {
    const types = [INT, STRING, BIGINT];
    const bytes = encodeRow([1, 'hello', 5n], types);
    const decode = rowDecoder(types, [0, 1, 2]);
    expect(() => decode(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decode(longer)).toThrow(/trailing/);
    expect(() => rowDecoder(types, [3])).toThrow();
  });

  it('decodes nothing for an empty column list', () => {
    const types = [INT, STRING];
    expect(rowDecoder(types, [])(encodeRow([1, 'a'], types))).toEqual([]);
    expect(rowDecoder([], [])(encodeRow([], []))).toEqual([]);
  });
});
