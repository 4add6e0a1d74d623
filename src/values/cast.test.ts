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
  OID,
  SMALLINT,
  STRING,
  time,
  timestamp,
  timestampLtz,
  varchar,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { castFunction } from './cast.ts';
import { daysFromCivil, MICROS_PER_DAY, MICROS_PER_HOUR } from './datetime.ts';

const utc = { timeZone: 'UTC' };
function cast(v: Value, from: SqlType, to: SqlType, tz = 'UTC'): Value {
  const fn = castFunction(from, to);
  if (fn === undefined) throw new Error('cast not allowed');
  return fn(v, { timeZone: tz });
}
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof SqlError ? `${e.code} ${e.message}` : 'other';
  }
  return 'none';
}

describe('castFunction (behaviour observed with PostgreSQL 15)', () => {
  it('float -> integer rounds half to even, numeric -> integer half away from zero', () => {
    expect(cast(44.5, DOUBLE, INT)).toBe(44);
    expect(cast(3.5, DOUBLE, INT)).toBe(4);
    expect(cast(-2.5, DOUBLE, SMALLINT)).toBe(-2);
    expect(cast(2.5, FLOAT, BIGINT)).toBe(2n);
    expect(cast(125n, decimal(5, 1), INT)).toBe(13);
    expect(cast(-125n, decimal(5, 1), INT)).toBe(-13);
    expect(code(() => cast(2147483647.5, DOUBLE, INT))).toBe('22003 integer out of range');
    expect(code(() => cast(1e20, DOUBLE, BIGINT))).toBe('22003 bigint out of range');
    expect(code(() => cast(NaN, DOUBLE, INT))).toBe('22003 integer out of range');
    expect(code(() => cast(2147483648n, BIGINT, INT))).toBe('22003 integer out of range');
    expect(code(() => cast(40000, INT, SMALLINT))).toBe('22003 smallint out of range');
  });

  it('to and between decimals', () => {
    expect(cast(1.005, DOUBLE, decimal(5, 2))).toBe(101n);
    expect(cast(Math.fround(0.1), FLOAT, decimal(5, 3))).toBe(100n);
    expect(cast(12345n, decimal(10, 4), decimal(5, 2))).toBe(123n);
    expect(cast(7, INT, decimal(5, 2))).toBe(700n);
    expect(code(() => cast(1e100, DOUBLE, decimal(3, 0)))).toBe('22003 numeric field overflow');
    expect(cast(1250n, decimal(5, 2), DOUBLE)).toBe(12.5);
  });

  it('to strings uses Postgres text forms', () => {
    expect(cast(true, BOOLEAN, STRING)).toBe('true');
    expect(cast(1.5, DOUBLE, STRING)).toBe('1.5');
    expect(cast(12345n, decimal(4, 2), STRING)).toBe('123.45');
    expect(cast('abc  ', char(5), STRING)).toBe('abc');
    expect(cast('abcdef', STRING, varchar(3))).toBe('abc');
    expect(cast('abcd', STRING, char(2))).toBe('ab');
    expect(cast('t', STRING, char(2))).toBe('t ');
    expect(cast(new Uint8Array([0x61, 0x62]), BYTES, STRING)).toBe('\\x6162');
    expect(cast(daysFromCivil(2024, 1, 5), DATE, STRING)).toBe('2024-01-05');
  });

  it('from strings parses', () => {
    expect(cast('2024-01-05', STRING, DATE)).toBe(daysFromCivil(2024, 1, 5));
    expect(cast(' 12 ', STRING, INT)).toBe(12);
    expect(cast('ab', STRING, BYTES)).toEqual(new Uint8Array([0x61, 0x62]));
    expect(code(() => cast('abc', STRING, INT))).toBe('22P02 invalid input syntax for type integer: "abc"');
    expect(cast('{1,2}', STRING, arrayOf(INT))).toEqual([1, 2]);
  });

  it('booleans and integers', () => {
    expect(cast(true, BOOLEAN, INT)).toBe(1);
    expect(cast(5, INT, BOOLEAN)).toBe(true);
    expect(cast(0n, BIGINT, BOOLEAN)).toBe(false);
    expect(castFunction(DOUBLE, BOOLEAN)).toBeUndefined();
  });

  it('temporal conversions use the session zone', () => {
    const day = daysFromCivil(2024, 1, 5);
    expect(cast(day, DATE, timestamp(6))).toBe(day * MICROS_PER_DAY);
    expect(cast(day, DATE, timestampLtz(6), 'Asia/Kolkata')).toBe(day * MICROS_PER_DAY - 5.5 * MICROS_PER_HOUR);
    const local = day * MICROS_PER_DAY + 12 * MICROS_PER_HOUR;
    expect(cast(local, timestamp(6), timestampLtz(6), 'America/New_York')).toBe(local + 5 * MICROS_PER_HOUR);
    expect(cast(local + 5 * MICROS_PER_HOUR, timestampLtz(6), timestamp(6), 'America/New_York')).toBe(local);
    expect(cast(local + 500_000, timestamp(6), timestamp(0))).toBe(local + 1_000_000);
    expect(cast(local + 789_000, timestamp(6), DATE)).toBe(day);
    expect(cast(local, timestamp(6), time(0))).toBe(12 * MICROS_PER_HOUR);
    expect(castFunction(DATE, time(0))).toBeUndefined();
    expect(castFunction(INTERVAL_DAY_TIME, INT)).toBeUndefined();
  });

  it('oids, arrays, rows', () => {
    expect(cast(-1, INT, OID)).toBe(4294967295);
    expect(cast(4294967295, OID, INT)).toBe(-1);
    expect(cast(4294967295, OID, BIGINT)).toBe(4294967295n);
    expect(cast([1, null, 3], arrayOf(INT), arrayOf(STRING))).toEqual(['1', null, '3']);
    expect(cast([1.5, 2.5], arrayOf(DOUBLE), arrayOf(INT))).toEqual([2, 2]);
    const r1: SqlType = { kind: 'ROW', fields: [{ name: 'a', type: INT }] };
    const r2: SqlType = { kind: 'ROW', fields: [{ name: 'a', type: BIGINT }] };
    expect(cast([7], r1, r2)).toEqual([7n]);
    expect(castFunction(arrayOf(DATE), arrayOf(INT))).toBeUndefined();
    void utc;
  });
});
