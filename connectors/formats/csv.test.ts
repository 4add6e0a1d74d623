import { describe, expect, it } from 'vitest';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { arrayOf, BIGINT, BOOLEAN, BYTES, DATE, decimal, DOUBLE, INT, STRING, time, timestamp, timestampLtz, varchar, type SqlType } from '../../catalog/types.ts';
import { rowFormat } from './index.ts';
import { FormatError } from './row-format.ts';

function col(name: string, type: SqlType, nullable = true): ColumnDefinition {
  return { name, type, nullable, kind: 'physical' };
}

const ORDERS = [col('id', INT), col('item', STRING), col('qty', INT), col('ts', timestamp(3))];

function csv(options: Record<string, string> = {}, columns: readonly ColumnDefinition[] = ORDERS) {
  return rowFormat(columns, { format: 'csv', ...options });
}

/** 2024-05-01 10:00:00 in µs since 1970. */
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000;

describe('csv decode', () => {
  it('reads Flink-written values, plain and quoted', () => {
    const f = csv();
    expect(f.decode('1,apple,3,2024-05-01 10:00:00.123')).toEqual([1, 'apple', 3, T0 + 123_000]);
    expect(f.decode('2,"fig, dried",5,2024-05-01T10:00:00')).toEqual([2, 'fig, dried', 5, T0]);
    expect(f.decode('3,"say ""hi""",1,2024-05-01 10:00:01')).toEqual([3, 'say "hi"', 1, T0 + 1_000_000]);
  });

  it('an unquoted empty field is NULL, a quoted one the empty string', () => {
    expect(csv().decode(',,,')).toEqual([null, null, null, null]);
    expect(csv().decode('1,"",,')).toEqual([1, '', null, null]);
  });

  it('with a null literal, the literal is NULL and an empty string field is empty', () => {
    const f = csv({ 'csv.null-literal': 'N/A' });
    expect(f.decode('N/A,,N/A,')).toEqual([null, '', null, null]);
    expect(f.decode('1,"N/A",2,')).toEqual([1, 'N/A', 2, null]);
  });

  it('honours delimiter, quote and escape characters', () => {
    const f = csv({ 'csv.field-delimiter': '\\t', 'csv.quote-character': "'", 'csv.escape-character': '\\' });
    expect(f.decode("1\t'a\tb'\t2\t2024-05-01 10:00:00")).toEqual([1, 'a\tb', 2, T0]);
    expect(f.decode('1\ta\\\tb\t2\t2024-05-01 10:00:00')).toEqual([1, 'a\tb', 2, T0]);
    const pipes = csv({ 'csv.field-delimiter': '|' });
    expect(pipes.decode('1|a,b|2|2024-05-01 10:00:00')).toEqual([1, 'a,b', 2, T0]);
  });

  it('reads every scalar type and arrays', () => {
    const cols = [col('b', BOOLEAN), col('big', BIGINT), col('d', decimal(20, 3)), col('x', DOUBLE), col('day', DATE), col('t', time(3)), col('l', timestampLtz(3)), col('bytes', BYTES), col('tags', arrayOf(INT))];
    const row = csv({}, cols).decode('true,9223372036854775807,12345678901234567.891,1.5e3,2024-05-01,10:00:00.5,2024-05-01 12:00:00+02:00,aGk=,1;;3');
    expect(row).toEqual([true, 9223372036854775807n, 12345678901234567891n, 1500, 19844, 36_000_500_000, T0, new Uint8Array([104, 105]), [1, null, 3]]);
  });

  it('throws FormatError saying which column and what is wrong', () => {
    const f = csv();
    expect(() => f.decode('x,apple,3,2024-05-01 10:00:00')).toThrow(new FormatError('column "id": invalid input syntax for type integer: "x"'));
    expect(() => f.decode('1,apple,3')).toThrow(new FormatError('expected 4 fields, found 3'));
    expect(() => f.decode('1,"apple,3,2024-05-01 10:00:00')).toThrow(/unterminated quoted field/);
    expect(() => f.decode('1,"apple"x,3,2024-05-01 10:00:00')).toThrow(/after the closing quote/);
    expect(() => f.decode('1,apple,3,2024-13-01 10:00:00')).toThrow(/column "ts": date\/time field value out of range/);
    expect(() => csv({}, [col('v', varchar(3))]).decode('abcd')).toThrow(/value too long/);
    expect(() => csv({}, [col('id', INT, false)]).decode('')).toThrow(/NULL in a NOT NULL column/);
  });

  it('skips blank lines always and # lines only with allow-comments', () => {
    expect(csv().skips('')).toBe(true);
    expect(csv().skips('# x')).toBe(false);
    expect(csv({ 'csv.allow-comments': 'true' }).skips('# x')).toBe(true);
    expect(csv({ 'csv.allow-comments': 'true' }).skips('1,a,2,')).toBe(false);
  });

  it('reports ignore-parse-errors', () => {
    expect(csv().ignoreParseErrors).toBe(false);
    expect(csv({ 'csv.ignore-parse-errors': 'true' }).ignoreParseErrors).toBe(true);
  });
});

describe('csv encode', () => {
  it('writes values as Flink does and quotes only when needed', () => {
    const f = csv();
    expect(f.encode([1, 'apple', 3, T0 + 123_000])).toBe('1,apple,3,2024-05-01 10:00:00.123');
    expect(f.encode([2, 'a,"b"', null, T0])).toBe('2,"a,""b""",,2024-05-01 10:00:00');
    expect(f.encode([null, '', null, null])).toBe(',"",,');
    const cols = [col('b', BOOLEAN), col('d', decimal(10, 2)), col('l', timestampLtz(3)), col('bytes', BYTES), col('tags', arrayOf(STRING))];
    expect(csv({}, cols).encode([false, -5n, T0, new Uint8Array([104, 105]), ['a', null, 'c']])).toBe('false,-0.05,2024-05-01 10:00:00Z,aGk=,a;;c');
  });

  it('quotes a first field starting with # when comments are allowed, and the null literal', () => {
    expect(csv({ 'csv.allow-comments': 'true' }).encode([1, '#x', 1, null])).toBe('1,#x,1,');
    expect(csv({ 'csv.allow-comments': 'true' }, [col('s', STRING)]).encode(['#x'])).toBe('"#x"');
    expect(csv({ 'csv.null-literal': 'NULL' }).encode([null, 'NULL', null, null])).toBe('NULL,"NULL",NULL,NULL');
  });

  it('round-trips: decode(encode(row)) gives the row back', () => {
    const cols = [col('id', BIGINT), col('s', STRING), col('d', decimal(38, 10)), col('x', DOUBLE), col('ts', timestamp(6)), col('tags', arrayOf(INT))];
    const rows = [
      [1n, 'plain', 1n, 0.1, T0 + 1, [1, 2]],
      [-9223372036854775808n, ' spaced ', -(10n ** 37n), -1e300, 0, []],
      [null, '', null, null, null, null],
      [7n, 'x;y,"z"\\', 123456789n, Number.MIN_VALUE, -86_400_000_000, [null, 5]],
    ];
    for (const options of [{}, { 'csv.field-delimiter': ';', 'csv.escape-character': '\\' }, { 'csv.null-literal': 'n/a' }, { 'csv.quote-character': "'" }]) {
      const f = csv(options, cols);
      for (const row of rows) expect(f.decode(f.encode(row))).toEqual(row);
    }
  });
});

describe('csv options', () => {
  it('refuses unknown options, other formats\' options and bad values with 22023', () => {
    const bad: Record<string, string>[] = [
      { 'csv.delimiter': ';' },
      { 'json.fail-on-missing-field': 'true' },
      { 'csv.allow-comments': 'yes please' },
      { 'csv.field-delimiter': ';;' },
      { 'csv.field-delimiter': '"' },
      { 'csv.disable-quote-character': 'true', 'csv.quote-character': "'" },
    ];
    for (const options of bad) {
      expect(() => csv(options)).toThrow(expect.objectContaining({ code: '22023', hint: expect.any(String) }));
    }
    try {
      csv({ 'csv.delimiter': ';' });
    } catch (err) {
      expect((err as Error).message).toBe("unsupported option 'csv.delimiter' for format 'csv'");
      expect((err as { hint: string }).hint).toContain('csv.field-delimiter');
    }
  });

  it('without a quote character, quotes are data and the escape character protects delimiters', () => {
    const f = csv({ 'csv.disable-quote-character': 'true', 'csv.escape-character': '\\' });
    expect(f.decode('1,"a",2,')).toEqual([1, '"a"', 2, null]);
    expect(f.encode([1, 'a,b', 2, null])).toBe('1,a\\,b,2,');
    expect(f.decode(f.encode([1, 'a,b', 2, null]))).toEqual([1, 'a,b', 2, null]);
  });
});
