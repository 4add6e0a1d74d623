import { describe, expect, it } from 'vitest';
import { decimal, STRING, type Value } from '../../catalog/types.ts';
import { CODEC_TYPES, randomValue, rng } from './codec.test-helpers.ts';
import { decodeRow, encodeRow } from './row-codec.ts';

describe('row codec', () => {
  it('round-trips random rows of every type', () => {
    const r = rng(7);
    for (let n = 0; n < 500; n++) {
      const row: Value[] = CODEC_TYPES.map((t) => randomValue(t, r));
      expect(decodeRow(encodeRow(row, CODEC_TYPES), CODEC_TYPES)).toEqual(row);
    }
  });

  it('handles large decimals, long strings and maps', () => {
    const types = [decimal(38, 0), STRING, { kind: 'MAP', key: STRING, value: decimal(38, 0) } as const];
    const big = 10n ** 37n + 12345n;
    const long = 'x'.repeat(70000) + '😀';
    for (const v of [big, -big, 2n ** 63n, -(2n ** 63n) - 1n, 128n, -129n]) {
      const row: Value[] = [v, long, new Map<Value, Value>([['k', v], ['n', null]])];
      expect(decodeRow(encodeRow(row, types), types)).toEqual(row);
    }
  });

  it('returned buffers are independent of the reused writer', () => {
    const a = encodeRow(['a'], [STRING]);
    encodeRow(['b'], [STRING]);
    expect(decodeRow(a, [STRING])).toEqual(['a']);
  });
});
