import { describe, expect, it } from 'vitest';
import { BIGINT, DATE, DOUBLE, INT, INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, STRING, time, timestamp, timestampLtz } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { functions } from './functions.ts';
import { callRaw, run, testContext } from './test-helpers.ts';

function sqlstate(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'no error';
}

const S = STRING;
const TS = timestamp(6);
const LTZ = timestampLtz(6);
/** Local µs of a wall-clock time. */
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms) * 1000;
const day = (y: number, mo: number, d: number): number => Date.UTC(y, mo - 1, d) / 86_400_000;

describe('current time', () => {
  it('reads the statement clock in the session zone', () => {
    expect(run('now', [], [])).toBe('2024-03-15 12:34:56.789+00');
    expect(run('current_timestamp', [], [], testContext({ timeZone: 'Asia/Tokyo' }))).toBe('2024-03-15 21:34:56.789+09');
    expect(run('current_date', [], [])).toBe('2024-03-15');
    expect(run('current_date', [], [], testContext({ timeZone: 'Pacific/Kiritimati' }))).toBe('2024-03-16');
    expect(run('localtimestamp', [], [])).toBe('2024-03-15 12:34:56.789');
    expect(run('localtime', [], [])).toBe('12:34:56.789');
    expect(run('unix_timestamp', [], [])).toBe('1710506096');
  });
  it('is volatile so plans are not folded', () => {
    for (const name of ['now', 'current_timestamp', 'current_date', 'localtimestamp']) {
      expect(functions.resolveScalar(name, [])!.volatile).toBe(true);
    }
  });
});

describe('date_part / extract', () => {
  const ts = at(1994, 9, 27, 13, 14, 15, 500);
  it('date_part returns double with fractions', () => {
    expect(callRaw('date_part', [S, TS], ['year', ts])).toEqual({ value: 1994, type: DOUBLE });
    expect(run('date_part', [S, TS], ['second', ts])).toBe('15.5');
    expect(run('date_part', [S, TS], ['milliseconds', ts])).toBe('15500');
    expect(run('date_part', [S, TS], ['epoch', at(1970, 1, 2)])).toBe('86400');
    expect(run('date_part', [S, TS], ['dow', ts])).toBe('2');
    expect(run('date_part', [S, TS], ['isodow', at(1994, 9, 25)])).toBe('7');
    expect(run('date_part', [S, TS], ['doy', ts])).toBe('270');
    expect(run('date_part', [S, TS], ['quarter', ts])).toBe('3');
    expect(run('date_part', [S, TS], ['week', ts])).toBe('39');
    expect(run('date_part', [S, TS], ['week', at(2021, 1, 1)])).toBe('53');
    expect(run('date_part', [S, TS], ['isoyear', at(2021, 1, 1)])).toBe('2020');
    expect(run('date_part', [S, TS], ['century', at(2000, 1, 1)])).toBe('20');
    expect(run('date_part', [S, TS], ['century', at(2001, 1, 1)])).toBe('21');
    expect(run('date_part', [S, TS], ['decade', ts])).toBe('199');
    expect(run('date_part', [S, TS], ['millennium', ts])).toBe('2');
    expect(run('date_part', [S, DATE], ['day', day(2006, 6, 5)])).toBe('5');
    expect(run('date_part', [S, time(0)], ['hour', 13 * 3_600_000_000])).toBe('13');
  });
  it('rejects time fields of a DATE with 0A000, as Postgres does', () => {
    expect(() => run('date_part', [S, DATE], ['hour', day(2006, 6, 5)])).toThrow(expect.objectContaining({ code: '0A000', message: 'unit "hour" not supported for type date' }));
    expect(() => run('date_part', [S, DATE], ['Second', day(2006, 6, 5)])).toThrow(SqlError);
    expect(run('date_part', [S, DATE], ['doy', day(2006, 6, 5)])).toBe('156');
  });
  it('extract returns BIGINT (Flink)', () => {
    expect(callRaw('extract', [S, DATE], ['DAY', day(2006, 6, 5)])).toEqual({ value: 5n, type: BIGINT });
    expect(run('extract', [S, TS], ['SECOND', ts])).toBe('15');
  });
  it('reads timestamptz in the session zone', () => {
    const ctx = testContext({ timeZone: 'Asia/Tokyo' });
    expect(run('date_part', [S, LTZ], ['hour', at(2024, 1, 1, 20)], ctx)).toBe('5');
    expect(run('date_part', [S, LTZ], ['epoch', at(2024, 1, 1, 20)], ctx)).toBe('1704139200');
    expect(run('date_part', [S, LTZ], ['timezone', 0], ctx)).toBe('32400');
  });
  it('handles intervals', () => {
    const iv = 2 * 86_400_000_000 + 3 * 3_600_000_000 + 4 * 60_000_000 + 5_500_000;
    expect(run('date_part', [S, INTERVAL_DAY_TIME], ['day', iv])).toBe('2');
    expect(run('date_part', [S, INTERVAL_DAY_TIME], ['hour', iv])).toBe('3');
    expect(run('date_part', [S, INTERVAL_DAY_TIME], ['minute', iv])).toBe('4');
    expect(run('date_part', [S, INTERVAL_DAY_TIME], ['second', iv])).toBe('5.5');
    expect(run('date_part', [S, INTERVAL_YEAR_MONTH], ['year', 14])).toBe('1');
    expect(run('date_part', [S, INTERVAL_YEAR_MONTH], ['month', 14])).toBe('2');
  });
  it('rejects unknown fields', () => {
    expect(sqlstate(() => run('date_part', [S, TS], ['fortnight', 0]))).toBe('22023 unit "fortnight" not recognized for type timestamp');
  });
  it('Flink shortcuts', () => {
    const d = day(1994, 9, 27);
    expect(run('year', [DATE], [d])).toBe('1994');
    expect(run('quarter', [DATE], [d])).toBe('3');
    expect(run('month', [DATE], [d])).toBe('9');
    expect(run('week', [DATE], [d])).toBe('39');
    expect(run('dayofyear', [DATE], [d])).toBe('270');
    expect(run('dayofmonth', [DATE], [d])).toBe('27');
    expect(run('dayofweek', [DATE], [d])).toBe('3');
    expect(run('hour', [TS], [at(1994, 9, 27, 13, 14, 15)])).toBe('13');
  });
});

describe('date_trunc', () => {
  const ts = at(2001, 2, 16, 20, 38, 40, 123);
  it('truncates timestamps', () => {
    expect(run('date_trunc', [S, TS], ['hour', ts])).toBe('2001-02-16 20:00:00');
    expect(run('date_trunc', [S, TS], ['minute', ts])).toBe('2001-02-16 20:38:00');
    expect(run('date_trunc', [S, TS], ['second', ts])).toBe('2001-02-16 20:38:40');
    expect(run('date_trunc', [S, TS], ['milliseconds', ts])).toBe('2001-02-16 20:38:40.123');
    expect(run('date_trunc', [S, TS], ['day', ts])).toBe('2001-02-16 00:00:00');
    expect(run('date_trunc', [S, TS], ['week', ts])).toBe('2001-02-12 00:00:00');
    expect(run('date_trunc', [S, TS], ['month', ts])).toBe('2001-02-01 00:00:00');
    expect(run('date_trunc', [S, TS], ['quarter', at(2001, 5, 16)])).toBe('2001-04-01 00:00:00');
    expect(run('date_trunc', [S, TS], ['year', ts])).toBe('2001-01-01 00:00:00');
    expect(run('date_trunc', [S, TS], ['decade', ts])).toBe('2000-01-01 00:00:00');
    expect(run('date_trunc', [S, TS], ['century', ts])).toBe('2001-01-01 00:00:00');
    expect(run('date_trunc', [S, TS], ['hour', at(1969, 12, 31, 23, 30)])).toBe('1969-12-31 23:00:00');
  });
  it('truncates timestamptz in the session zone and dates as timestamps', () => {
    const ctx = testContext({ timeZone: 'America/New_York' });
    expect(run('date_trunc', [S, LTZ], ['day', at(2001, 2, 16, 3)], ctx)).toBe('2001-02-15 00:00:00-05');
    expect(run('date_trunc', [S, DATE], ['month', day(2001, 2, 16)])).toBe('2001-02-01 00:00:00');
  });
  it('rejects unknown units', () => {
    expect(sqlstate(() => run('date_trunc', [S, TS], ['fortnight', 0]))).toMatch(/^22023/);
  });
});

describe('formatting and parsing', () => {
  const ts = at(2024, 3, 5, 14, 7, 9, 45);
  it('to_char with Postgres templates', () => {
    expect(run('to_char', [TS, S], [ts, 'YYYY-MM-DD HH24:MI:SS'])).toBe('2024-03-05 14:07:09');
    expect(run('to_char', [TS, S], [ts, 'HH12:MI AM'])).toBe('02:07 PM');
    expect(run('to_char', [TS, S], [ts, 'Mon DD, YYYY'])).toBe('Mar 05, 2024');
    expect(run('to_char', [TS, S], [ts, 'Day Month'])).toBe('Tuesday   March    ');
    expect(run('to_char', [TS, S], [ts, 'FMDay FMMonth FMDD'])).toBe('Tuesday March 5');
    expect(run('to_char', [TS, S], [ts, 'SS.MS US'])).toBe('09.045 045000');
    expect(run('to_char', [TS, S], [ts, '"Q"Q YY DDD'])).toBe('Q1 24 065');
    expect(run('to_char', [DATE, S], [day(2024, 3, 5), 'DY dy'])).toBe('TUE tue');
  });
  it('date_format with Java patterns (Flink)', () => {
    expect(run('date_format', [TS, S], [ts, 'yyyy-MM-dd HH:mm:ss'])).toBe('2024-03-05 14:07:09');
    expect(run('date_format', [TS, S], [ts, "yy/M/d h:mm a 'at' SSS"])).toBe('24/3/5 2:07 PM at 045');
    expect(run('date_format', [TS, S], [ts, 'EEE, MMM d yyyy'])).toBe('Tue, Mar 5 2024');
    expect(run('date_format', [S, S], ['2024-03-05 14:07:09', 'yyyyMMdd'])).toBe('20240305');
  });
  it('to_timestamp parses strings (Flink) and epochs (Postgres)', () => {
    expect(callRaw('to_timestamp', [S], ['2024-03-05 14:07:09']).type).toEqual(timestamp(3));
    expect(run('to_timestamp', [S], ['2024-03-05 14:07:09'])).toBe('2024-03-05 14:07:09');
    expect(run('to_timestamp', [S], ['garbage'])).toBe('NULL');
    expect(run('to_timestamp', [S, S], ['05/03/2024 14:07', 'dd/MM/yyyy HH:mm'])).toBe('2024-03-05 14:07:00');
    expect(run('to_timestamp', [S, S], ['2024-03-05 02:07:09 PM', 'YYYY-MM-DD HH12:MI:SS AM'])).toBe('2024-03-05 14:07:09');
    expect(run('to_timestamp', [S, S], ['20240305', 'yyyyMMdd'])).toBe('2024-03-05 00:00:00');
    expect(run('to_timestamp', [S, S], ['2024-13-05', 'yyyy-MM-dd'])).toBe('NULL');
    expect(callRaw('to_timestamp', [DOUBLE], [1.5])).toEqual({ value: 1_500_000, type: LTZ });
    expect(run('to_timestamp', [INT], [86400])).toBe('1970-01-02 00:00:00+00');
  });
  it('to_date', () => {
    expect(run('to_date', [S], ['2024-03-05'])).toBe('2024-03-05');
    expect(run('to_date', [S, S], ['05 Mar 2024', 'DD Mon YYYY'])).toBe('2024-03-05');
    expect(sqlstate(() => run('to_date', [S, S], ['x', 'YYYY']))).toMatch(/^22007/);
  });
  it('unix_timestamp and from_unixtime use the session zone', () => {
    const berlin = testContext({ timeZone: 'Europe/Berlin' });
    expect(run('unix_timestamp', [S, S], ['1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS'], berlin)).toBe('25201');
    expect(run('unix_timestamp', [S, S], ['1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X'], berlin)).toBe('1');
    expect(run('unix_timestamp', [S, S], ['1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS'], berlin)).toBe('25201');
    expect(run('unix_timestamp', [S, S], ['1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS X'], berlin)).toBe('-9223372036854775808');
    expect(run('unix_timestamp', [S], ['1970-01-01 00:00:44'])).toBe('44');
    expect(run('from_unixtime', [BIGINT], [44n])).toBe('1970-01-01 00:00:44');
    expect(run('from_unixtime', [INT], [44], testContext({ timeZone: 'Asia/Tokyo' }))).toBe('1970-01-01 09:00:44');
    expect(run('from_unixtime', [BIGINT, S], [86400n, 'yyyy/MM/dd'])).toBe('1970/01/02');
  });
  it('to_timestamp_ltz', () => {
    expect(run('to_timestamp_ltz', [BIGINT, INT], [1500n, 3])).toBe('1970-01-01 00:00:01.5+00');
    expect(run('to_timestamp_ltz', [INT, INT], [2, 0])).toBe('1970-01-01 00:00:02+00');
    expect(sqlstate(() => run('to_timestamp_ltz', [INT, INT], [2, 6]))).toMatch(/^22023/);
  });
});

describe('constructors and differences', () => {
  it('make_date / make_timestamp', () => {
    expect(run('make_date', [INT, INT, INT], [2024, 2, 29])).toBe('2024-02-29');
    expect(sqlstate(() => run('make_date', [INT, INT, INT], [2023, 2, 29]))).toBe('22008 date field value out of range: 2023-02-29');
    expect(run('make_timestamp', [INT, INT, INT, INT, INT, DOUBLE], [2024, 1, 2, 3, 4, 5.5])).toBe('2024-01-02 03:04:05.5');
  });
  it('timestampadd / timestampdiff (Flink)', () => {
    expect(run('timestampadd', [S, INT, DATE], ['WEEK', 1, day(2003, 1, 2)])).toBe('2003-01-09');
    expect(run('timestampadd', [S, INT, TS], ['MONTH', 1, at(2024, 1, 31)])).toBe('2024-02-29 00:00:00');
    expect(run('timestampadd', [S, INT, TS], ['HOUR', -2, at(2024, 1, 1)])).toBe('2023-12-31 22:00:00');
    expect(run('timestampdiff', [S, TS, TS], ['DAY', at(2003, 1, 2, 10), at(2003, 1, 3, 10)])).toBe('1');
    expect(run('timestampdiff', [S, TS, TS], ['DAY', at(2003, 1, 2, 10), at(2003, 1, 3, 9)])).toBe('0');
    expect(run('timestampdiff', [S, TS, TS], ['MONTH', at(2003, 1, 31), at(2003, 2, 28)])).toBe('0');
    expect(run('timestampdiff', [S, TS, TS], ['MONTH', at(2003, 1, 15), at(2003, 3, 15)])).toBe('2');
    expect(run('timestampdiff', [S, TS, TS], ['YEAR', at(2003, 3, 15), at(2001, 3, 16)])).toBe('-1');
    expect(run('timestampdiff', [S, DATE, DATE], ['SECOND', 0, 1])).toBe('86400');
  });
  it('age gives a day-time interval', () => {
    expect(run('age', [TS, TS], [at(2024, 1, 3, 1), at(2024, 1, 1)])).toBe('2 days 01:00:00');
  });
});

describe('FLOOR / CEIL (x TO unit) and CONVERT_TZ (Flink)', () => {
  it('rounds times and timestamps to units', () => {
    const t = (12 * 3600 + 44 * 60 + 31) * 1_000_000;
    expect(run('floor', [time(0), S], [t, 'minute'])).toBe('12:44:00');
    expect(run('ceil', [time(0), S], [t, 'minute'])).toBe('12:45:00');
    expect(run('ceil', [time(0), S], [12 * 3_600_000_000, 'hour'])).toBe('12:00:00');
    expect(run('floor', [TS, S], [at(2024, 1, 1, 10, 44, 31), 'hour'])).toBe('2024-01-01 10:00:00');
    expect(run('ceil', [TS, S], [at(2024, 1, 31, 10), 'month'])).toBe('2024-02-01 00:00:00');
    expect(run('ceiling', [TS, S], [at(2024, 1, 31, 10), 'day'])).toBe('2024-02-01 00:00:00');
    expect(run('floor', [DATE, S], [day(2024, 5, 17), 'year'])).toBe('2024-01-01');
    expect(functions.resolveScalar('floor', [DOUBLE])!.returnType).toEqual(DOUBLE);
  });
  it('convert_tz', () => {
    expect(run('convert_tz', [S, S, S], ['1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles'])).toBe('1969-12-31 16:00:00');
    expect(run('convert_tz', [S, S, S], ['2024-07-01 12:00:00', 'Europe/Berlin', 'Asia/Tokyo'])).toBe('2024-07-01 19:00:00');
  });
});
