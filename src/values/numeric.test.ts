import { describe, expect, it } from 'vitest';
import { decimal, DOUBLE, INT, NUMERIC, STRING, type Value } from '../../catalog/types.ts';
import { decodeStateValue, encodeStateValue } from '../state/state-codec.ts';
import { decodeBinary, encodeBinary } from './binary.ts';
import { castFunction } from './cast.ts';
import { compareValues, hashValue, valuesEqual } from './compare.ts';
import { decodeKey, encodeKey } from './key-codec.ts';
import {
  divScale,
  normalizeNumeric,
  Numeric,
  numericAdd,
  numericDiv,
  numericMod,
  numericMul,
  numericRound,
  numericSub,
  numericTrunc,
  parseNumeric,
} from './numeric.ts';
import { decodeRow, encodeRow } from './row-codec.ts';
import { formatValue } from './text-format.ts';
import { parseValue } from './text-parse.ts';

const n = (text: string): Numeric => parseNumeric(text)!;
const UTC = { timeZone: 'UTC' };

describe('unconstrained numeric values', () => {
  it('parses with the scale Postgres gives the text', () => {
    expect(String(n('12.345'))).toBe('12.345');
    expect(String(n('1.50'))).toBe('1.50');
    expect(String(n('-0.000'))).toBe('0.000');
    expect(String(n(' +.5 '))).toBe('0.5');
    expect(String(n('1e3'))).toBe('1000');
    expect(String(n('1.5e-3'))).toBe('0.0015');
    expect(String(n('12.5E1'))).toBe('125');
    expect(parseNumeric('abc')).toBeUndefined();
    expect(parseNumeric('.')).toBeUndefined();
  });

  it('computes + - * with Postgres result scales', () => {
    expect(String(numericAdd(n('1.50'), n('1')))).toBe('2.50');
    expect(String(numericSub(n('1.5'), n('0.25')))).toBe('1.25');
    expect(String(numericMul(n('1.5'), n('1.25')))).toBe('1.875');
    expect(String(numericMul(n('2.50'), n('2')))).toBe('5.00');
    expect(String(numericMod(n('7.50'), n('2')))).toBe('1.50');
    expect(String(numericMod(n('-7.5'), n('2')))).toBe('-1.5');
  });

  it('divides with select_div_scale: at least 16 significant digits, never below an input scale', () => {
    expect(String(numericDiv(n('1'), n('3')))).toBe('0.33333333333333333333');
    expect(String(numericDiv(n('10'), n('4')))).toBe('2.5000000000000000');
    expect(String(numericDiv(n('2.0'), n('3')))).toBe('0.66666666666666666667');
    expect(String(numericDiv(n('1'), n('7000')))).toBe('0.00014285714285714286');
    expect(String(numericDiv(n('123456789'), n('0.001')))).toBe('123456789000.00000000');
    expect(String(numericDiv(n('-1'), n('3')))).toBe('-0.33333333333333333333');
    expect(divScale(n('1.000000000000000000000001'), n('1'))).toBe(24);
    expect(() => numericDiv(n('1'), n('0.00'))).toThrow(expect.objectContaining({ code: '22012' }));
  });

  it('rounds and truncates to a number of places', () => {
    expect(String(numericRound(n('2.567'), 2))).toBe('2.57');
    expect(String(numericRound(n('-2.5'), 0))).toBe('-3');
    expect(String(numericRound(n('1.5'), 3))).toBe('1.500');
    expect(String(numericRound(n('1234.5'), -2))).toBe('1200');
    expect(String(numericTrunc(n('-2.567'), 1))).toBe('-2.5');
  });

  it('compares, hashes and keys equal values at different scales alike', () => {
    const a = n('1.5');
    const b = n('1.500');
    expect(compareValues(a, b, NUMERIC)).toBe(0);
    expect(valuesEqual(a, b, NUMERIC)).toBe(true);
    expect(hashValue(a, NUMERIC)).toBe(hashValue(b, NUMERIC));
    expect(encodeKey([a], [NUMERIC])).toEqual(encodeKey([b], [NUMERIC]));
    expect(hashValue(n('0'), NUMERIC)).toBe(hashValue(n('0.00'), NUMERIC));
    expect(encodeKey([n('0')], [NUMERIC])).toEqual(encodeKey([n('-0.00')], [NUMERIC]));
    expect(compareValues(n('1.49'), a, NUMERIC)).toBeLessThan(0);
    expect(compareValues(n('-10'), n('-9.99'), NUMERIC)).toBeLessThan(0);
    expect(String(decodeKey(encodeKey([b], [NUMERIC]), [NUMERIC])[0])).toBe('1.5');
    expect(normalizeNumeric(n('120.00')).unscaled).toBe(120n);
  });

  it('keeps its scale through the row codec, text, binary and state codecs', () => {
    const values: Numeric[] = [n('1.50'), n('-0.000'), n('12345678901234567890123456789.123456789'), new Numeric(7n * 10n ** 700n + 1n, 3)];
    for (const v of values) {
      const row = decodeRow(encodeRow([v, null], [NUMERIC, INT]), [NUMERIC, INT]);
      expect(row[0]).toEqual(v);
      expect(parseValue(formatValue(v, NUMERIC, UTC), NUMERIC, UTC)).toEqual(v);
      expect(decodeBinary(encodeBinary(v, NUMERIC), NUMERIC)).toEqual(v);
      expect(decodeStateValue(encodeStateValue([v]))).toEqual([v]);
    }
    // numeric_send of 1.50: ndigits 2, weight 0, sign +, dscale 2, base-10000 digits 1 and 5000.
    expect([...encodeBinary(n('1.50'), NUMERIC)]).toEqual([0, 2, 0, 0, 0, 0, 0, 2, 0, 1, 0x13, 0x88]);
  });

  it('casts keep each value its scale and round into DECIMAL(p, s)', () => {
    const cast = (v: Value, from: Parameters<typeof castFunction>[0], to: Parameters<typeof castFunction>[1]): Value =>
      castFunction(from, to)!(v, UTC);
    expect(String(cast(12345n, decimal(5, 3), NUMERIC))).toBe('12.345');
    expect(String(cast(7, INT, NUMERIC))).toBe('7');
    expect(String(cast(1.5, DOUBLE, NUMERIC))).toBe('1.5');
    expect(String(cast(0.1 + 0.2, DOUBLE, NUMERIC))).toBe('0.3');
    expect(cast(n('2.5'), NUMERIC, decimal(5, 0))).toBe(3n);
    expect(cast(n('1.23456'), NUMERIC, decimal(6, 3))).toBe(1235n);
    expect(cast(n('-2.5'), NUMERIC, INT)).toBe(-3);
    expect(cast(n('1.25'), NUMERIC, DOUBLE)).toBe(1.25);
    expect(cast(n('12.3400'), NUMERIC, STRING)).toBe('12.3400');
    expect(String(cast('  1.50 ', STRING, NUMERIC))).toBe('1.50');
    expect(() => cast(n('12345.6'), NUMERIC, decimal(5, 2))).toThrow(expect.objectContaining({ code: '22003' }));
  });
});
