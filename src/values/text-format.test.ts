import { describe, expect, it } from 'vitest';
import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  BYTES,
  DATE,
  decimal,
  DOUBLE,
  FLOAT,
  INT,
  INTERVAL_DAY_TIME,
  INTERVAL_YEAR_MONTH,
  OID,
  STRING,
  time,
  timestamp,
  timestampLtz,
  type SqlType,
} from '../../catalog/types.ts';
import { daysFromCivil, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND } from './datetime.ts';
import { formatInterval, formatOffset, formatValue } from './text-format.ts';

const utc = { timeZone: 'UTC' };
const f = (v: Parameters<typeof formatValue>[0], t: SqlType, tz = 'UTC'): string => formatValue(v, t, { timeZone: tz });

function ts(y: number, m: number, d: number, h = 0, mi = 0, s = 0, us = 0): number {
  return daysFromCivil(y, m, d) * MICROS_PER_DAY + h * MICROS_PER_HOUR + mi * 60_000_000 + s * MICROS_PER_SECOND + us;
}

describe('formatValue (strings observed from PostgreSQL 15)', () => {
  it('booleans and integers', () => {
    expect(f(true, BOOLEAN)).toBe('t');
    expect(f(false, BOOLEAN)).toBe('f');
    expect(f(-42, INT)).toBe('-42');
    expect(f(9223372036854775807n, BIGINT)).toBe('9223372036854775807');
    expect(f(4294967295, OID)).toBe('4294967295');
  });

  it('float8 shortest round-trip with PG exponent rules', () => {
    const cases: [number, string][] = [
      [1.5, '1.5'],
      [1e100, '1e+100'],
      [123456789012345, '123456789012345'],
      [1234567890123456, '1.234567890123456e+15'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.2345678901234567e-5, '1.2345678901234568e-05'],
      [1e15, '1e+15'],
      [1e14, '100000000000000'],
      [Math.fround(0.1), '0.10000000149011612'],
      [NaN, 'NaN'],
      [-Infinity, '-Infinity'],
      [Infinity, 'Infinity'],
      [-0, '-0'],
      [1e-310, '1e-310'],
    ];
    for (const [v, s] of cases) expect(f(v, DOUBLE)).toBe(s);
  });

  it('float4 shortest round-trip with PG exponent rules', () => {
    const cases: [number, string][] = [
      [100000, '100000'],
      [1000000, '1e+06'],
      [1234567, '1.234567e+06'],
      [Math.fround(0.1), '0.1'],
      [Math.fround(3.4e38), '3.4e+38'],
      [Math.fround(1.17549435e-38), '1.1754944e-38'],
      [Math.fround(123456.7), '123456.7'],
    ];
    for (const [v, s] of cases) expect(f(v, FLOAT)).toBe(s);
  });

  it('decimals print exactly scale digits', () => {
    expect(f(1250n, decimal(5, 2))).toBe('12.50');
    expect(f(-5n, decimal(5, 2))).toBe('-0.05');
    expect(f(0n, decimal(5, 2))).toBe('0.00');
    expect(f(7n, decimal(5, 0))).toBe('7');
  });

  it('dates, including BC', () => {
    expect(f(daysFromCivil(2024, 1, 5), DATE)).toBe('2024-01-05');
    expect(f(daysFromCivil(-43, 3, 15), DATE)).toBe('0044-03-15 BC');
    expect(f(0, DATE)).toBe('1970-01-01');
  });

  it('time and timestamp trim fraction zeros', () => {
    expect(f(12 * MICROS_PER_HOUR + 34 * 60_000_000 + 56 * MICROS_PER_SECOND, time(0))).toBe('12:34:56');
    expect(f(12 * MICROS_PER_HOUR + 34 * 60_000_000 + 56 * MICROS_PER_SECOND + 123457, time(6))).toBe('12:34:56.123457');
    expect(f(MICROS_PER_DAY, time(0))).toBe('24:00:00');
    expect(f(ts(2024, 1, 5, 12, 34, 56, 500000), timestamp(6))).toBe('2024-01-05 12:34:56.5');
    expect(f(ts(0, 1, 1, 10), timestamp(6))).toBe('0001-01-01 10:00:00 BC');
    expect(f(ts(1969, 12, 31, 23, 59, 59, 999999), timestamp(6))).toBe('1969-12-31 23:59:59.999999');
  });

  it('timestamptz in the session zone', () => {
    const v = ts(2024, 1, 5, 12, 34, 56, 500000);
    expect(f(v, timestampLtz(6))).toBe('2024-01-05 12:34:56.5+00');
    expect(f(v, timestampLtz(6), 'Asia/Kolkata')).toBe('2024-01-05 18:04:56.5+05:30');
    expect(f(v, timestampLtz(6), 'America/St_Johns')).toBe('2024-01-05 09:04:56.5-03:30');
    expect(f(ts(-43, 3, 15, 10), timestampLtz(6))).toBe('0044-03-15 10:00:00+00 BC');
    expect(formatOffset(19 * 60 + 32)).toBe('+00:19:32');
    expect(formatOffset(-(3 * 3600 + 1800))).toBe('-03:30');
    expect(formatOffset(0)).toBe('+00');
    expect(f(ts(2024, 7, 1, 12), timestampLtz(0), 'America/New_York')).toBe('2024-07-01 08:00:00-04');
  });

  it('intervals in IntervalStyle postgres', () => {
    expect(formatInterval(0, 1, 2 * MICROS_PER_HOUR)).toBe('1 day 02:00:00');
    expect(formatInterval(0, 0, -1_500_000)).toBe('-00:00:01.5');
    expect(formatInterval(14, 0, 0)).toBe('1 year 2 mons');
    expect(formatInterval(0, 3, 0)).toBe('3 days');
    expect(formatInterval(0, -3, -2 * MICROS_PER_HOUR)).toBe('-3 days -02:00:00');
    expect(formatInterval(0, 0, 100 * MICROS_PER_HOUR)).toBe('100:00:00');
    expect(formatInterval(12, -1, 0)).toBe('1 year -1 days');
    expect(formatInterval(-14, 0, 0)).toBe('-1 years -2 mons');
    expect(formatInterval(0, 0, 0)).toBe('00:00:00');
    expect(formatInterval(1, 0, 0)).toBe('1 mon');
    expect(formatInterval(0, -1, 2 * MICROS_PER_HOUR)).toBe('-1 days +02:00:00');
    expect(formatInterval(0, 0, 1_234_567)).toBe('00:00:01.234567');
    expect(formatInterval(0, 1, -1_000_000)).toBe('1 day -00:00:01');
    expect(formatInterval(0, 0, -1)).toBe('-00:00:00.000001');
    expect(formatInterval(14, 3, 4 * MICROS_PER_HOUR + 5 * 60_000_000 + 6_500_000)).toBe('1 year 2 mons 3 days 04:05:06.5');
  });

  it('engine interval types', () => {
    expect(f(5_000_000, INTERVAL_DAY_TIME)).toBe('00:00:05');
    expect(f(10 * MICROS_PER_DAY + 4000, INTERVAL_DAY_TIME)).toBe('10 days 00:00:00.004');
    expect(f(26 * MICROS_PER_HOUR, INTERVAL_DAY_TIME)).toBe('1 day 02:00:00');
    expect(f(-26 * MICROS_PER_HOUR, INTERVAL_DAY_TIME)).toBe('-1 days -02:00:00');
    expect(f(34, INTERVAL_YEAR_MONTH)).toBe('2 years 10 mons');
    expect(f(-34, INTERVAL_YEAR_MONTH)).toBe('-2 years -10 mons');
    expect(f(0, INTERVAL_YEAR_MONTH)).toBe('00:00:00');
  });

  it('bytea as hex', () => {
    expect(f(new Uint8Array([1, 2, 255]), BYTES)).toBe('\\x0102ff');
    expect(f(new Uint8Array([]), BYTES)).toBe('\\x');
  });

  it('arrays with array_out quoting', () => {
    expect(f(['a', '', 'b c', 'NULL', null, 'x"y', 'a\\b', '{'], arrayOf(STRING))).toBe(
      '{a,"","b c","NULL",NULL,"x\\"y","a\\\\b","{"}',
    );
    expect(f([1, 2, null], arrayOf(INT))).toBe('{1,2,NULL}');
    expect(f([[1, 2], [3, 4]], arrayOf(arrayOf(INT)))).toBe('{{1,2},{3,4}}');
    expect(f([1.5], arrayOf(DOUBLE))).toBe('{1.5}');
    expect(f(['a,b'], arrayOf(STRING))).toBe('{"a,b"}');
    expect(f([], arrayOf(INT))).toBe('{}');
  });

  it('records with record_out quoting', () => {
    const row: SqlType = {
      kind: 'ROW',
      fields: ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => ({ name, type: i === 0 ? INT : STRING })),
    };
    expect(f([1, 'abc', null, '', 'a b', 'x"y'], row)).toBe('(1,abc,,"","a b","x""y")');
    const nested: SqlType = {
      kind: 'ROW',
      fields: [
        { name: 'a', type: arrayOf(INT) },
        { name: 'b', type: { kind: 'ROW', fields: [{ name: 'x', type: INT }, { name: 'y', type: STRING }] } },
      ],
    };
    expect(f([[1, 2], [1, 'a']], nested)).toBe('("{1,2}","(1,a)")');
    const pair: SqlType = { kind: 'ROW', fields: [{ name: 'x', type: INT }, { name: 'y', type: STRING }] };
    expect(f([[1, 'a b']], arrayOf(pair))).toBe('{"(1,\\"a b\\")"}');
  });

  it('maps as JSON objects', () => {
    const t: SqlType = { kind: 'MAP', key: STRING, value: INT };
    expect(f(new Map([['a', 1], ['b', null]]), t)).toBe('{"a":1,"b":null}');
    const t2: SqlType = { kind: 'MAP', key: INT, value: STRING };
    expect(f(new Map([[1, 'x"']]), t2)).toBe('{"1":"x\\""}');
    void utc;
  });
});
