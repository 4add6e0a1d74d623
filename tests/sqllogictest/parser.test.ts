import { describe, expect, it } from 'vitest';
import { parseSlt, SltParseError } from './parser.ts';

describe('parseSlt', () => {
  it('parses statements, queries, conditions and retries with line numbers', () => {
    const text = [
      '# comment',
      'statement ok',
      'CREATE TABLE t (a INT)',
      '',
      'onlyif millrace',
      'query IT rowsort retry 5 backoff 100ms',
      'SELECT a,',
      '  b FROM t',
      '----',
      '1 x',
      '2\t(empty)',
      '',
      'statement error 42P01',
      'SELECT * FROM nope',
      '',
      'query error division by zero',
      'SELECT 1/0',
      '',
      'statement count 3',
      'DELETE FROM t',
      '',
      'hash-threshold 8',
      'include part/*.slt.part',
      'sleep 2s',
      'halt',
    ].join('\n');
    const records = parseSlt(text, 'f.slt');
    expect(records.map((r) => [r.kind, r.loc.line])).toEqual([
      ['statement', 2],
      ['query', 6],
      ['statement', 13],
      ['query-error', 16],
      ['statement', 19],
      ['include', 23],
      ['sleep', 24],
      ['halt', 25],
    ]);
    const q = records[1];
    expect(q).toMatchObject({
      kind: 'query',
      types: 'IT',
      sort: 'rowsort',
      sql: 'SELECT a,\n  b FROM t',
      expected: ['1 x', '2\t(empty)'],
      retry: { attempts: 5, backoffMs: 100 },
      conditions: [{ kind: 'onlyif', engine: 'millrace' }],
    });
    expect(records[2]).toMatchObject({ expect: { kind: 'error', error: { kind: 'sqlstate', code: '42P01' } } });
    expect(records[3]).toMatchObject({ kind: 'query-error', error: { kind: 'message', source: 'division by zero' } });
    expect(records[4]).toMatchObject({ expect: { kind: 'count', count: 3 } });
    expect(records[6]).toMatchObject({ ms: 2000 });
  });

  it('treats only five-character codes with a digit as SQLSTATEs', () => {
    const [a, b, c] = parseSlt('statement error ERROR\nx\n\nstatement error\nx\n\nstatement error 22012\nx\n', 'f.slt');
    expect(a).toMatchObject({ expect: { error: { kind: 'message', source: 'ERROR' } } });
    expect(b).toMatchObject({ expect: { error: { kind: 'any' } } });
    expect(c).toMatchObject({ expect: { error: { kind: 'sqlstate', code: '22012' } } });
  });

  it('reads a query with no result rows', () => {
    const [q] = parseSlt('query I\nSELECT 1 WHERE false\n----\n\n', 'f.slt');
    expect(q).toMatchObject({ kind: 'query', expected: [] });
  });

  it('reports bad input with file and line', () => {
    expect(() => parseSlt('\nquery X\nSELECT 1\n', 'f.slt')).toThrow(SltParseError);
    expect(() => parseSlt('\nquery X\nSELECT 1\n', 'f.slt')).toThrow(/^f\.slt:2: /);
    expect(() => parseSlt('statement ok retry 3\nSELECT 1\n', 'f.slt')).toThrow(/retry N backoff D/);
    expect(() => parseSlt('frobnicate\n', 'f.slt')).toThrow(/unknown record/);
    expect(() => parseSlt('statement ok\nSELECT 1\n\nskipif postgres\n', 'f.slt')).toThrow(/applies to nothing/);
  });
});
