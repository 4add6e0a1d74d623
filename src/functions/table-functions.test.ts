import { describe, expect, it } from 'vitest';
import { BIGINT, DATE, INT, INTERVAL_DAY_TIME, INTERVAL_YEAR_MONTH, NAME, STRING, arrayOf, timestamp, timestampLtz, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { formatValue } from '../values/text-format.ts';
import { functions } from './functions.ts';
import { instantiateTableFunction, tableFunctionColumns } from './table-functions.ts';
import { testContext } from './test-helpers.ts';

function rows(name: string, types: readonly SqlType[], args: readonly Value[], ctx = testContext()): string[] {
  const cols = tableFunctionColumns(name, types);
  const out: string[] = [];
  for (const r of instantiateTableFunction(name, types)(args, ctx)) {
    out.push(r.map((v, i) => (v === null ? 'NULL' : formatValue(v, cols[i]!.type, ctx))).join('|'));
  }
  return out;
}

const DAY = 86_400_000_000;

describe('generate_series', () => {
  it('integers, with steps both ways', () => {
    expect(tableFunctionColumns('generate_series', [INT, INT])).toEqual([{ name: 'generate_series', type: INT }]);
    expect(rows('generate_series', [INT, INT], [1, 3])).toEqual(['1', '2', '3']);
    expect(rows('generate_series', [INT, INT, INT], [10, 1, -4])).toEqual(['10', '6', '2']);
    expect(rows('generate_series', [INT, INT], [3, 1])).toEqual([]);
    expect(rows('generate_series', [INT, INT], [1, null])).toEqual([]);
  });
  it('bigints', () => {
    expect(tableFunctionColumns('generate_series', [INT, BIGINT])[0]!.type).toEqual(BIGINT);
    const out = [...instantiateTableFunction('generate_series', [INT, BIGINT])([1, 2n], testContext())];
    expect(out).toEqual([[1n], [2n]]);
  });
  it('rejects a zero step', () => {
    let err: SqlError | undefined;
    try {
      rows('generate_series', [INT, INT, INT], [1, 2, 0]);
    } catch (e) {
      err = e as SqlError;
    }
    expect(err?.code).toBe('22023');
    expect(err?.message).toBe('step size cannot equal zero');
  });
  it('timestamps by day-time and year-month intervals', () => {
    const TS = timestamp(6);
    expect(rows('generate_series', [TS, TS, INTERVAL_DAY_TIME], [0, DAY, 12 * 3_600_000_000])).toEqual([
      '1970-01-01 00:00:00',
      '1970-01-01 12:00:00',
      '1970-01-02 00:00:00',
    ]);
    const jan31 = Date.UTC(2024, 0, 31) * 1000;
    const may1 = Date.UTC(2024, 4, 1) * 1000;
    expect(rows('generate_series', [TS, TS, INTERVAL_YEAR_MONTH], [jan31, may1, 1])).toEqual([
      '2024-01-31 00:00:00',
      '2024-02-29 00:00:00',
      '2024-03-31 00:00:00',
      '2024-04-30 00:00:00',
    ]);
    expect(rows('generate_series', [DATE, DATE, INTERVAL_DAY_TIME], [0, 1, DAY])).toEqual(['1970-01-01 00:00:00', '1970-01-02 00:00:00']);
    const LTZ = timestampLtz(6);
    expect(tableFunctionColumns('generate_series', [LTZ, LTZ, INTERVAL_DAY_TIME])[0]!.type).toEqual(LTZ);
  });
  it('is a table function; unknown arguments are 42883', () => {
    expect(functions.isTableFunction('generate_series')).toBe(true);
    expect(functions.isTableFunction('pg_catalog.generate_series')).toBe(true);
    expect(functions.isTableFunction('upper')).toBe(false);
    expect(() => tableFunctionColumns('generate_series', [STRING, STRING])).toThrow('function generate_series(text, text) does not exist');
    expect(() => tableFunctionColumns('no_such', [])).toThrow(SqlError);
  });
});

describe('unnest and friends', () => {
  it('unnest one or several arrays', () => {
    expect(tableFunctionColumns('unnest', [arrayOf(INT)])).toEqual([{ name: 'unnest', type: INT }]);
    expect(rows('unnest', [arrayOf(INT)], [[1, null, 3]])).toEqual(['1', 'NULL', '3']);
    expect(rows('unnest', [arrayOf(INT), arrayOf(STRING)], [[1, 2], ['a']])).toEqual(['1|a', '2|NULL']);
    expect(rows('unnest', [arrayOf(INT)], [[]])).toEqual([]);
  });
  it('generate_subscripts and _pg_expandarray', () => {
    expect(rows('generate_subscripts', [arrayOf(INT), INT], [[5, 6, 7], 1])).toEqual(['1', '2', '3']);
    expect(rows('generate_subscripts', [arrayOf(INT), INT], [[5, 6], 2])).toEqual([]);
    expect(tableFunctionColumns('information_schema._pg_expandarray', [arrayOf(NAME)]).map((c) => c.name)).toEqual(['x', 'n']);
    expect(rows('_pg_expandarray', [arrayOf(INT)], [[10, 20]])).toEqual(['10|1', '20|2']);
  });
  it('pg_get_keywords lists key words with categories', () => {
    const kw = rows('pg_get_keywords', [], []);
    expect(kw).toContain('select|R|t|reserved|can be bare label');
    expect(kw).toContain('from|R|f|reserved|requires AS');
    expect(kw.some((r) => r.startsWith('abort|U|'))).toBe(true);
    const words = kw.map((r) => r.split('|')[0]!);
    expect([...words].sort()).toEqual(words);
  });
});
