import { describe, expect, it } from 'vitest';
import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  BYTES,
  char,
  DATE,
  decimal,
  DOUBLE,
  FLOAT,
  INT,
  INTERVAL_DAY_TIME,
  INTERVAL_YEAR_MONTH,
  JSON_TYPE,
  OID,
  SMALLINT,
  STRING,
  time,
  timestamp,
  timestampLtz,
  UUID,
  varchar,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { daysFromCivil, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND } from './datetime.ts';
import { parseIntervalLiteral } from './interval-parse.ts';
import { formatValue } from './text-format.ts';
import { parseValue } from './text-parse.ts';

const p = (s: string, t: SqlType, tz = 'UTC'): Value => parseValue(s, t, { timeZone: tz });

function err(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

function ts(y: number, m: number, d: number, h = 0, mi = 0, s = 0, us = 0): number {
  return daysFromCivil(y, m, d) * MICROS_PER_DAY + h * MICROS_PER_HOUR + mi * 60_000_000 + s * MICROS_PER_SECOND + us;
}

describe('parseValue scalars', () => {
  it('booleans', () => {
    for (const s of ['t', 'true', 'TRUE', ' yes ', 'on', '1', 'y', 'tr']) expect(p(s, BOOLEAN)).toBe(true);
    for (const s of ['f', 'false', 'no', 'off', '0', 'N', 'of']) expect(p(s, BOOLEAN)).toBe(false);
    expect(err(() => p('x', BOOLEAN))).toEqual({ code: '22P02', message: 'invalid input syntax for type boolean: "x"' });
    expect(err(() => p('o', BOOLEAN)).code).toBe('22P02');
  });

  it('integers with range checks', () => {
    expect(p(' 12 ', INT)).toBe(12);
    expect(p('+5', INT)).toBe(5);
    expect(Object.is(p('-0', INT), 0)).toBe(true);
    expect(p('-9223372036854775808', BIGINT)).toBe(-9223372036854775808n);
    expect(err(() => p('abc', INT))).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "abc"' });
    expect(err(() => p('1.5', INT)).code).toBe('22P02');
    expect(err(() => p('1e5', INT)).code).toBe('22P02');
    expect(err(() => p('99999999999', INT))).toEqual({
      code: '22003',
      message: 'value "99999999999" is out of range for type integer',
    });
    expect(err(() => p('32768', SMALLINT)).message).toBe('value "32768" is out of range for type smallint');
    expect(err(() => p('9223372036854775808', BIGINT)).code).toBe('22003');
  });

  it('floats', () => {
    expect(p('1.5', DOUBLE)).toBe(1.5);
    expect(p('NaN', DOUBLE)).toBeNaN();
    expect(p('-Infinity', DOUBLE)).toBe(-Infinity);
    expect(p('inf', DOUBLE)).toBe(Infinity);
    expect(p('.5e1', DOUBLE)).toBe(5);
    expect(p('0.1', FLOAT)).toBe(Math.fround(0.1));
    expect(err(() => p('abc', DOUBLE)).message).toBe('invalid input syntax for type double precision: "abc"');
    expect(err(() => p('1e400', DOUBLE))).toEqual({ code: '22003', message: '"1e400" is out of range for type double precision' });
  });

  it('numeric into DECIMAL(p,s)', () => {
    expect(p('12.5', decimal(5, 2))).toBe(1250n);
    expect(p('1.005', decimal(5, 2))).toBe(101n);
    expect(p('-1.005', decimal(5, 2))).toBe(-101n);
    expect(p('0.5', decimal(3, 0))).toBe(1n);
    expect(p('1e2', decimal(5, 1))).toBe(1000n);
    expect(p(' .5 ', decimal(5, 1))).toBe(5n);
    const e = err(() => p('12.5', decimal(2, 1)));
    expect(e).toEqual({ code: '22003', message: 'numeric field overflow' });
    expect(err(() => p('abc', decimal(5, 2))).message).toBe('invalid input syntax for type numeric: "abc"');
  });

  it('character types', () => {
    expect(p('t', char(2))).toBe('t ');
    expect(p('ab  ', varchar(2))).toBe('ab');
    expect(err(() => p('abc', varchar(2)))).toEqual({ code: '22001', message: 'value too long for type character varying(2)' });
    expect(p('anything', STRING)).toBe('anything');
  });

  it('uuid, json, oid', () => {
    expect(p('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', UUID)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(p('{a0eebc999c0b4ef8bb6d6bb9bd380a11}', UUID)).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(err(() => p('zz', UUID)).message).toBe('invalid input syntax for type uuid: "zz"');
    expect(p('{"a": 1}', JSON_TYPE)).toBe('{"a": 1}');
    expect(err(() => p('{a', JSON_TYPE)).code).toBe('22P02');
    expect(p('-1', OID)).toBe(4294967295);
    expect(err(() => p('z', OID)).message).toBe('invalid input syntax for type oid: "z"');
  });

  it('bytea hex and escape formats', () => {
    expect(p('\\x0102ff', BYTES)).toEqual(new Uint8Array([1, 2, 255]));
    expect(p('\\x 0A', BYTES)).toEqual(new Uint8Array([10]));
    expect(p('ab', BYTES)).toEqual(new Uint8Array([0x61, 0x62]));
    expect(p('a\\\\b', BYTES)).toEqual(new Uint8Array([0x61, 0x5c, 0x62]));
    expect(p('\\001abc', BYTES)).toEqual(new Uint8Array([1, 0x61, 0x62, 0x63]));
    expect(p('é', BYTES)).toEqual(new Uint8Array([0xc3, 0xa9]));
    expect(err(() => p('a\\b', BYTES))).toEqual({ code: '22P02', message: 'invalid input syntax for type bytea' });
    expect(err(() => p('\\xabc', BYTES)).message).toBe('invalid hexadecimal data: odd number of digits');
    expect(err(() => p('\\xzz', BYTES)).message).toBe('invalid hexadecimal digit: "z"');
  });
});

describe('parseValue dates and times', () => {
  it('dates', () => {
    expect(p('2024-01-05', DATE)).toBe(daysFromCivil(2024, 1, 5));
    expect(p('0044-03-15 BC', DATE)).toBe(daysFromCivil(-43, 3, 15));
    expect(p('2024-01-05 12:00', DATE)).toBe(daysFromCivil(2024, 1, 5));
    expect(p('epoch', DATE)).toBe(0);
    expect(err(() => p('2024-13-01', DATE))).toEqual({ code: '22008', message: 'date/time field value out of range: "2024-13-01"' });
    expect(err(() => p('2024-02-30', DATE)).code).toBe('22008');
    expect(p('2024-02-29', DATE)).toBe(daysFromCivil(2024, 2, 29));
    expect(err(() => p('x', DATE))).toEqual({ code: '22007', message: 'invalid input syntax for type date: "x"' });
  });

  it('times', () => {
    expect(p('12:34:56', time(0))).toBe(ts(1970, 1, 1, 12, 34, 56));
    expect(p('12:34', time(0))).toBe(ts(1970, 1, 1, 12, 34));
    expect(p('12:34:56.1234567', time(6))).toBe(ts(1970, 1, 1, 12, 34, 56, 123457));
    expect(p('12:34:56.5', time(0))).toBe(ts(1970, 1, 1, 12, 34, 57));
    expect(p('24:00:00', time(0))).toBe(MICROS_PER_DAY);
    expect(err(() => p('25:00:00', time(0)))).toEqual({ code: '22008', message: 'date/time field value out of range: "25:00:00"' });
    expect(err(() => p('x', time(0))).message).toBe('invalid input syntax for type time: "x"');
  });

  it('timestamps', () => {
    expect(p('2024-01-05 12:34:56.789', timestamp(6))).toBe(ts(2024, 1, 5, 12, 34, 56, 789000));
    expect(p('2024-01-05T12:34:56Z', timestamp(6))).toBe(ts(2024, 1, 5, 12, 34, 56));
    expect(p('2024-01-05 12:34:56.789', timestamp(0))).toBe(ts(2024, 1, 5, 12, 34, 57));
    expect(p('2024-01-05', timestamp(6))).toBe(ts(2024, 1, 5));
    expect(p('0001-01-01 10:00 BC', timestamp(6))).toBe(ts(0, 1, 1, 10));
    expect(err(() => p('foo', timestamp(6)))).toEqual({ code: '22007', message: 'invalid input syntax for type timestamp: "foo"' });
  });

  it('timestamptz with offsets and session zones', () => {
    expect(p('2024-01-05T12:34:56Z', timestampLtz(6))).toBe(ts(2024, 1, 5, 12, 34, 56));
    expect(p('2024-01-05 12:34:56+0530', timestampLtz(6))).toBe(ts(2024, 1, 5, 7, 4, 56));
    expect(p('2024-01-05 12:34:56-03:30', timestampLtz(6))).toBe(ts(2024, 1, 5, 16, 4, 56));
    expect(p('2024-01-05 12:34:56.5 America/New_York', timestampLtz(6))).toBe(ts(2024, 1, 5, 17, 34, 56, 500000));
    expect(p('2024-01-05 12:00', timestampLtz(6), 'Asia/Kolkata')).toBe(ts(2024, 1, 5, 6, 30));
    // DST gap and overlap resolve as Postgres does: 03:30-04 and 01:30-05.
    expect(p('2024-03-10 02:30', timestampLtz(6), 'America/New_York')).toBe(ts(2024, 3, 10, 7, 30));
    expect(p('2024-11-03 01:30', timestampLtz(6), 'America/New_York')).toBe(ts(2024, 11, 3, 6, 30));
    expect(err(() => p('x', timestampLtz(6))).message).toBe('invalid input syntax for type timestamp with time zone: "x"');
  });

  it('format -> parse round trips', () => {
    const tz = { timeZone: 'Asia/Kolkata' };
    const types: [SqlType, Value[]][] = [
      [timestamp(6), [ts(2024, 1, 5, 12, 34, 56, 500000), ts(0, 1, 1, 10), ts(1969, 12, 31, 23, 59, 59, 999999)]],
      [timestampLtz(6), [ts(2024, 1, 5, 12, 34, 56, 500000), ts(1850, 6, 1), ts(2038, 3, 1, 1, 2, 3, 4)]],
      [DATE, [daysFromCivil(2024, 1, 5), daysFromCivil(-43, 3, 15), -1]],
      [time(6), [0, 1, MICROS_PER_DAY - 1]],
      [DOUBLE, [0.1, 1e100, -1.2345678901234567e-5, 123456789012345, NaN, -Infinity]],
      [FLOAT, [Math.fround(0.1), Math.fround(1234567), Math.fround(3.4e38)]],
      [decimal(10, 3), [123456n, -5n, 0n]],
      [INTERVAL_DAY_TIME, [5_000_000, -26 * MICROS_PER_HOUR - 1, 10 * MICROS_PER_DAY + 4000]],
      [INTERVAL_YEAR_MONTH, [34, -14, 1]],
      [arrayOf(STRING), [['a', '', 'b c', 'NULL', null, 'x"y', 'a\\b', '{']]],
      [arrayOf(arrayOf(INT)), [[[1, 2], [3, null]]]],
      [BYTES, [new Uint8Array([0, 1, 255])]],
    ];
    for (const [t, vs] of types) {
      for (const v of vs) {
        const text = formatValue(v, t, tz);
        expect(parseValue(text, t, tz), `${text}`).toEqual(v);
      }
    }
    const row: SqlType = { kind: 'ROW', fields: [{ name: 'a', type: INT }, { name: 'b', type: STRING }, { name: 'c', type: STRING }] };
    for (const v of [[1, 'x"y (z)', null], [null, '', 'a\\b']]) {
      expect(parseValue(formatValue(v, row, tz), row, tz)).toEqual(v);
    }
  });
});

describe('arrays', () => {
  it('parses array_in syntax', () => {
    expect(p('{1,2}', arrayOf(INT))).toEqual([1, 2]);
    expect(p('{ 1 , 2 }', arrayOf(INT))).toEqual([1, 2]);
    expect(p('{}', arrayOf(INT))).toEqual([]);
    expect(p('{"a b",NULL,"NULL",null}', arrayOf(STRING))).toEqual(['a b', null, 'NULL', null]);
    expect(p('{{1,2},{3,4}}', arrayOf(arrayOf(INT)))).toEqual([[1, 2], [3, 4]]);
    expect(p('{a\\,b}', arrayOf(STRING))).toEqual(['a,b']);
    expect(err(() => p('{', arrayOf(INT)))).toEqual({ code: '22P02', message: 'malformed array literal: "{"' });
    expect(err(() => p('1,2', arrayOf(INT))).code).toBe('22P02');
    expect(err(() => p('{1,x}', arrayOf(INT))).message).toBe('invalid input syntax for type integer: "x"');
  });
});

describe('intervals', () => {
  const dt = (s: string): Value => p(s, INTERVAL_DAY_TIME);
  it('Postgres free text', () => {
    expect(dt('1 day 2 hours')).toBe(26 * MICROS_PER_HOUR);
    expect(dt('@ 1 day 2 hours ago')).toBe(-26 * MICROS_PER_HOUR);
    expect(dt('-1.5 seconds')).toBe(-1_500_000);
    expect(dt('1 week')).toBe(7 * MICROS_PER_DAY);
    expect(dt('1.5 days')).toBe(36 * MICROS_PER_HOUR);
    expect(dt('-1 day +2:03')).toBe(-MICROS_PER_DAY + 2 * MICROS_PER_HOUR + 3 * 60_000_000);
    expect(dt('01:02')).toBe(MICROS_PER_HOUR + 2 * 60_000_000);
    expect(dt('1 2:03:04')).toBe(MICROS_PER_DAY + 2 * MICROS_PER_HOUR + 3 * 60_000_000 + 4_000_000);
    expect(dt('10 ms')).toBe(10_000);
    expect(dt('3 min 4 secs')).toBe(184_000_000);
    expect(dt('5')).toBe(5_000_000);
    expect(dt('PT5S')).toBe(5_000_000);
    expect(dt('P1DT2H')).toBe(26 * MICROS_PER_HOUR);
    expect(p('1 year 2 months', INTERVAL_YEAR_MONTH)).toBe(14);
    expect(p('1.5 years', INTERVAL_YEAR_MONTH)).toBe(18);
    expect(err(() => dt('x'))).toEqual({ code: '22007', message: 'invalid input syntax for type interval: "x"' });
    expect(err(() => dt('1 month')).code).toBe('0A000');
  });

  it('qualified literals', () => {
    const lit = parseIntervalLiteral;
    expect(lit('5', { from: 'SECOND' })).toEqual({ type: INTERVAL_DAY_TIME, value: 5_000_000 });
    expect(lit('2-10', { from: 'YEAR', to: 'MONTH' })).toEqual({ type: INTERVAL_YEAR_MONTH, value: 34 });
    expect(lit('-2-10', { from: 'YEAR', to: 'MONTH' })).toEqual({ type: INTERVAL_YEAR_MONTH, value: -34 });
    expect(lit('10 00:00:00.004', { from: 'DAY', to: 'SECOND' })).toEqual({
      type: INTERVAL_DAY_TIME,
      value: 10 * MICROS_PER_DAY + 4000,
    });
    expect(lit('100', { from: 'HOUR' }).value).toBe(100 * MICROS_PER_HOUR);
    expect(lit('1 2', { from: 'DAY', to: 'HOUR' }).value).toBe(26 * MICROS_PER_HOUR);
    expect(lit('01:30', { from: 'HOUR', to: 'MINUTE' }).value).toBe(90 * 60_000_000);
    expect(lit('5 seconds', { from: 'SECOND' }).value).toBe(5_000_000);
    expect(lit('3', { from: 'YEAR' })).toEqual({ type: INTERVAL_YEAR_MONTH, value: 36 });
    expect(lit('5 seconds', undefined)).toEqual({ type: INTERVAL_DAY_TIME, value: 5_000_000 });
    expect(lit('1 year 2 months', undefined)).toEqual({ type: INTERVAL_YEAR_MONTH, value: 14 });
    expect(err(() => lit('1 month 1 day', undefined)).code).toBe('0A000');
    expect(err(() => lit('abc', { from: 'DAY' })).code).toBe('22007');
  });
});
