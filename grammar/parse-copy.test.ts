import { describe, expect, it } from 'vitest';
import { parseSql, ParseError } from './parse.ts';
import type * as A from './ast.ts';

function copy(text: string): A.Copy {
  const [s] = parseSql(text);
  if (s?.kind !== 'copy') throw new Error(`not a COPY: ${s?.kind}`);
  return s;
}

const options = (c: A.Copy): unknown[] => c.options.map((o) => (o.value === undefined ? [o.name] : [o.name, o.value]));

function parseError(text: string): ParseError {
  try {
    parseSql(text);
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error: ${text}`);
}

describe('COPY', () => {
  it('reads the table, its columns, the direction and STDIN / STDOUT', () => {
    const c = copy('COPY s.t (a, "B") FROM STDIN');
    expect(c.source).toMatchObject({ kind: 'table', table: { parts: [{ value: 's' }, { value: 't' }] }, columns: [{ value: 'a' }, { value: 'B', quoted: true }] });
    expect(c.direction).toBe('from');
    expect(c.target.kind).toBe('stdio');
    expect(copy('copy t to stdout')).toMatchObject({ direction: 'to', target: { kind: 'stdio' }, options: [] });
  });

  it('reads COPY (query) TO', () => {
    const c = copy('COPY (SELECT a FROM t WHERE a > 1) TO STDOUT');
    expect(c.source).toMatchObject({ kind: 'query', query: { body: { kind: 'select' } } });
  });

  it('reads the parenthesised option list, with or without WITH', () => {
    expect(options(copy("COPY t FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'x', QUOTE '''', ESCAPE E'\\\\')"))).toEqual([
      ['format', 'csv'],
      ['header'],
      ['delimiter', ';'],
      ['null', 'x'],
      ['quote', "'"],
      ['escape', '\\'],
    ]);
    expect(options(copy('COPY t TO STDOUT (FORMAT CSV, HEADER false, FORCE_QUOTE *, FORCE_NOT_NULL (a, b))'))).toEqual([
      ['format', 'csv'],
      ['header', 'false'],
      ['force_quote', '*'],
      ['force_not_null', ['a', 'b']],
    ]);
  });

  it('normalises the old option syntax', () => {
    expect(options(copy("COPY t FROM STDIN WITH CSV HEADER DELIMITER AS ',' NULL 'n'"))).toEqual([
      ['format', 'csv'],
      ['header'],
      ['delimiter', ','],
      ['null', 'n'],
    ]);
    expect(options(copy("COPY t TO STDOUT BINARY"))).toEqual([['format', 'binary']]);
    expect(options(copy('COPY t TO STDOUT CSV FORCE QUOTE a, b'))).toEqual([['format', 'csv'], ['force_quote', ['a', 'b']]]);
    expect(options(copy('COPY t FROM STDIN CSV FORCE NOT NULL a'))).toEqual([['format', 'csv'], ['force_not_null', ['a']]]);
  });

  it('keeps file names and programs for the session to refuse', () => {
    expect(copy("COPY t FROM '/tmp/x.csv' CSV").target).toEqual({ kind: 'file', path: '/tmp/x.csv', pos: 12 });
    expect(copy("COPY t TO PROGRAM 'gzip'").target).toMatchObject({ kind: 'program', path: 'gzip' });
  });

  it('rejects malformed COPY statements with a position', () => {
    expect(parseError('COPY (SELECT 1) FROM STDIN').message).toBe('syntax error at or near "FROM"');
    expect(parseError('COPY t FROM STDIN WITH').message).toBe('syntax error at end of input');
    expect(parseError('COPY t FROM STDIN bogus')).toMatchObject({ message: 'syntax error at or near "bogus"', position: 18 });
    expect(parseError('COPY t INTO STDIN').message).toBe('syntax error at or near "INTO"');
  });

  it('leaves copy usable as a name', () => {
    expect(parseSql('SELECT copy FROM copy')[0]?.kind).toBe('query-statement');
  });
});
