import { describe, expect, it } from 'vitest';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { arrayOf, BIGINT, BOOLEAN, DATE, decimal, DOUBLE, INT, JSON_TYPE, STRING, timestamp, timestampLtz, type SqlType, type Value } from '../../catalog/types.ts';
import { rowFormat } from './index.ts';
import { FormatError } from './row-format.ts';

function col(name: string, type: SqlType, nullable = true): ColumnDefinition {
  return { name, type, nullable, kind: 'physical' };
}

const ORDERS = [col('id', INT), col('item', STRING), col('qty', INT), col('ts', timestamp(3))];
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000;

function json(options: Record<string, string> = {}, columns: readonly ColumnDefinition[] = ORDERS) {
  return rowFormat(columns, { format: 'json', ...options });
}

const mapType: SqlType = { kind: 'MAP', key: STRING, value: INT };
const rowType: SqlType = { kind: 'ROW', fields: [{ name: 'city', type: STRING }, { name: 'zip', type: INT }] };

describe('json decode', () => {
  it('reads an object per line, keyed by column name; missing fields and extra keys', () => {
    const f = json();
    expect(f.decode('{"id": 1, "item": "apple", "qty": 3, "ts": "2024-05-01 10:00:00.123"}')).toEqual([1, 'apple', 3, T0 + 123_000]);
    expect(f.decode('{"ts":"2024-05-01T10:00:00","item":"pear","other":[1,{"x":2}]}')).toEqual([null, 'pear', null, T0]);
    expect(f.decode('{"id":null,"item":null}')).toEqual([null, null, null, null]);
  });

  it('keeps BIGINT and DECIMAL exact and converts between numbers and strings', () => {
    const f = json({}, [col('big', BIGINT), col('d', decimal(30, 4)), col('x', DOUBLE), col('s', STRING), col('n', INT), col('b', BOOLEAN)]);
    expect(f.decode('{"big":9223372036854775807,"d":12345678901234567890.1234,"x":1e-3,"s":12.50,"n":"42","b":"true"}')).toEqual([
      9223372036854775807n,
      123456789012345678901234n,
      0.001,
      '12.50',
      42,
      true,
    ]);
    expect(f.decode('{"s":{"a":[1,true,null]}}')[3]).toBe('{"a":[1,true,null]}');
  });

  it('reads nested ARRAY, MAP, ROW and JSON columns', () => {
    const f = json({}, [col('tags', arrayOf(arrayOf(INT))), col('m', mapType), col('addr', rowType), col('raw', JSON_TYPE)]);
    const row = f.decode('{"tags":[[1,2],[],null],"m":{"a":1,"b":null},"addr":{"zip":75001,"city":"Paris"},"raw":{"k": [1, "two"]}}');
    expect(row).toEqual([[[1, 2], [], null], new Map<Value, Value>([['a', 1], ['b', null]]), ['Paris', 75001], '{"k":[1,"two"]}']);
  });

  it('fail-on-missing-field makes a missing field an error', () => {
    expect(() => json({ 'json.fail-on-missing-field': 'true' }).decode('{"id":1,"item":"a","qty":2}')).toThrow(new FormatError('field "ts" is missing'));
  });

  it('throws FormatError for bad JSON, wrong shapes and bad values', () => {
    const f = json();
    expect(() => f.decode('{"id":1,')).toThrow(/invalid JSON at character 9: expected a string key, found end of line/);
    expect(() => f.decode('[1,2]')).toThrow(new FormatError('expected a JSON object'));
    expect(() => f.decode('{"id":"x"}')).toThrow(new FormatError('field "id": invalid input syntax for type integer: "x"'));
    expect(() => f.decode('{"id":[1]}')).toThrow(new FormatError('field "id": expected a number for type INT, found an array'));
    expect(() => f.decode('{"ts":5}')).toThrow(/field "ts": expected a string for type TIMESTAMP, found a number/);
    expect(() => f.decode('{"id":1} x')).toThrow(/expected end of input/);
    expect(() => json({}, [col('id', INT, false)]).decode('{}')).toThrow(/NULL in a NOT NULL column/);
  });

  it('reads escapes in strings', () => {
    expect(json({}, [col('s', STRING)]).decode('{"s":"a\\"b\\\\c\\n\\u00e9\\/"}')).toEqual(['a"b\\c\né/']);
  });
});

describe('json encode', () => {
  it('writes an object with every column, NULL as null', () => {
    const f = json();
    expect(f.encode([1, 'apple "x"', null, T0 + 123_000])).toBe('{"id":1,"item":"apple \\"x\\"","qty":null,"ts":"2024-05-01 10:00:00.123"}');
    expect(json({ 'json.encode.ignore-null-fields': 'true' }).encode([1, null, null, null])).toBe('{"id":1}');
  });

  it('writes timestamps in the chosen standard', () => {
    const cols = [col('ts', timestamp(3)), col('l', timestampLtz(3)), col('d', DATE)];
    expect(json({}, cols).encode([T0, T0, 19844])).toBe('{"ts":"2024-05-01 10:00:00","l":"2024-05-01 10:00:00Z","d":"2024-05-01"}');
    expect(json({ 'json.timestamp-format.standard': 'ISO-8601' }, cols).encode([T0 + 5000, T0, 19844])).toBe(
      '{"ts":"2024-05-01T10:00:00.005","l":"2024-05-01T10:00:00Z","d":"2024-05-01"}',
    );
  });

  it('writes numbers exactly and non-finite doubles as strings', () => {
    const f = json({}, [col('big', BIGINT), col('d', decimal(10, 2)), col('x', DOUBLE)]);
    expect(f.encode([-9223372036854775808n, 1050n, NaN])).toBe('{"big":-9223372036854775808,"d":10.50,"x":"NaN"}');
  });

  it('handles NULL map keys by json.map-null-key.mode', () => {
    const m = new Map<Value, Value>([[null, 1], ['a', 2]]);
    expect(() => json({}, [col('m', mapType)]).encode([m])).toThrow(expect.objectContaining({ code: '22004', message: 'the json format cannot write a MAP value with a NULL key' }));
    expect(json({ 'json.map-null-key.mode': 'drop' }, [col('m', mapType)]).encode([m])).toBe('{"m":{"a":2}}');
    expect(json({ 'json.map-null-key.mode': 'LITERAL', 'json.map-null-key.literal': 'nil' }, [col('m', mapType)]).encode([m])).toBe('{"m":{"nil":1,"a":2}}');
  });

  it('round-trips nested and scalar values', () => {
    const cols = [col('id', BIGINT), col('s', STRING), col('d', decimal(38, 6)), col('tags', arrayOf(STRING)), col('m', mapType), col('addr', rowType), col('raw', JSON_TYPE), col('ts', timestamp(6))];
    const rows: Value[][] = [
      [1n, 'tab\there "q" \\ é \u0001', 123456789012n, ['a', null, ''], new Map<Value, Value>([['k', 1]]), ['Paris', null], '{"a":[1,2]}', T0 + 1],
      [null, null, null, null, null, null, null, null],
      [0n, '', -1n, [], new Map(), [null, 0], '"x"', 0],
    ];
    for (const standard of ['SQL', 'ISO-8601']) {
      const f = json({ 'json.timestamp-format.standard': standard }, cols);
      for (const row of rows) expect(f.decode(f.encode(row))).toEqual(row);
    }
  });
});

describe('json options', () => {
  it('refuses unknown options and bad values with 22023', () => {
    for (const options of [
      { 'json.fail-on-missing': 'true' },
      { 'csv.field-delimiter': ';' },
      { 'json.timestamp-format.standard': 'RFC' },
      { 'json.fail-on-missing-field': 'true', 'json.ignore-parse-errors': 'true' },
      { 'json.map-null-key.mode': 'IGNORE' },
    ]) {
      expect(() => json(options)).toThrow(expect.objectContaining({ code: '22023', hint: expect.any(String) }));
    }
  });

  it('a missing or unknown format is 22023', () => {
    expect(() => rowFormat(ORDERS, {})).toThrow(expect.objectContaining({ code: '22023', message: "option 'format' is required" }));
    expect(() => rowFormat(ORDERS, { format: 'avro' })).toThrow(expect.objectContaining({ code: '22023', message: "unsupported format 'avro'" }));
  });
});
