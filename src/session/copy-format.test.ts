import { describe, expect, it } from 'vitest';
import { CopyReader, defaultCopyFormat, formatCopyHeader, formatCopyRow, type CopyFormat } from './copy-format.ts';
import { SqlError } from '../errors.ts';

const text = defaultCopyFormat('text', 3);
const csv = defaultCopyFormat('csv', 3);

/** Feeds `input` in chunks of `size` bytes and returns the rows' fields. */
function read(fmt: CopyFormat, input: string, size = 1 << 20): (string | null)[][] {
  const r = new CopyReader(fmt);
  const bytes = Buffer.from(input, 'utf8');
  const rows: (string | null)[][] = [];
  for (let i = 0; i < bytes.length; i += size) for (const row of r.push(bytes.subarray(i, i + size))) rows.push(row.fields);
  for (const row of r.finish()) rows.push(row.fields);
  return rows;
}

function readError(fmt: CopyFormat, input: string): SqlError {
  try {
    read(fmt, input);
  } catch (err) {
    return err as SqlError;
  }
  throw new Error('expected an error');
}

describe('COPY text format input', () => {
  it('splits fields at tabs and reads \\N as NULL', () => {
    expect(read(text, '1\ta\t\\N\n2\t\tb\n')).toEqual([
      ['1', 'a', null],
      ['2', '', 'b'],
    ]);
  });

  it('resolves backslash escapes', () => {
    expect(read(text, 'a\\tb\\nc\\\\d\t\\101\\x41\\q\t\\.x\n')).toEqual([['a\tb\nc\\d', 'AAq', '.x']]);
  });

  it('keeps an escaped newline inside the row and an escaped delimiter inside the field', () => {
    expect(read(text, 'a\\\nb\tc\\\td\n')).toEqual([['a\nb', 'c\td']]);
  });

  it('matches the NULL string before escapes', () => {
    const fmt = { ...text, null: '' };
    expect(read(fmt, '\t\\N\tx\n')).toEqual([[null, 'N', 'x']]);
  });

  it('stops at the \\. end marker and ignores what follows', () => {
    expect(read(text, '1\n\\.\n2\n')).toEqual([['1']]);
  });

  it('reads a last row without a newline', () => {
    expect(read(text, '1\n2')).toEqual([['1'], ['2']]);
  });

  it('gives the same rows whatever the chunk boundaries, multi-byte characters included', () => {
    const input = 'é\\tx\t€\\\\\n\\N\tñ\\\nz\n';
    const whole = read(text, input);
    expect(whole).toEqual([
      ['é\tx', '€\\'],
      [null, 'ñ\nz'],
    ]);
    for (const size of [1, 2, 3, 5]) expect(read(text, input, size)).toEqual(whole);
  });

  it('accepts CRLF line ends when the first line has one', () => {
    expect(read(text, '1\ta\r\n2\tb\r\n')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
  });

  it('rejects a literal carriage return in data', () => {
    const err = readError(text, '1\ta\n2\tb\rc\n');
    expect(err.code).toBe('22P04');
    expect(err.message).toBe('literal carriage return found in data');
  });

  it('skips the header line', () => {
    expect(read({ ...text, header: true }, 'a\tb\n1\t2\n')).toEqual([['1', '2']]);
  });

  it('uses another delimiter', () => {
    expect(read({ ...text, delimiter: '|' }, '1|a\\|b\n')).toEqual([['1', 'a|b']]);
  });
});

describe('COPY csv format input', () => {
  it('reads quoted fields with delimiters, doubled quotes and newlines', () => {
    expect(read(csv, '1,"a,b","say ""hi""\nthere"\n')).toEqual([['1', 'a,b', 'say "hi"\nthere']]);
  });

  it('reads an unquoted empty field as NULL and a quoted one as empty', () => {
    expect(read(csv, ',"",x\n')).toEqual([[null, '', 'x']]);
  });

  it('honours QUOTE and ESCAPE', () => {
    const fmt = { ...csv, quote: "'", escape: '\\' };
    expect(read(fmt, "'a\\'b','c\\\\d',\"e\"\n")).toEqual([["a'b", 'c\\d', '"e"']]);
  });

  it('allows quoted sections inside a field', () => {
    expect(read(csv, 'ab"c,d"e\n')).toEqual([['abc,de']]);
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const input = 'a,"x\n""y""",\n"",b,"c,\r\nd"\n';
    const whole = read(csv, input);
    expect(whole).toEqual([
      ['a', 'x\n"y"', null],
      ['', 'b', 'c,\r\nd'],
    ]);
    for (const size of [1, 2, 3]) expect(read(csv, input, size)).toEqual(whole);
  });

  it('reports an unterminated quoted field', () => {
    const err = readError(csv, '1,"abc\n');
    expect(err.code).toBe('22P04');
    expect(err.message).toBe('unterminated CSV quoted field');
  });

  it('skips the header and stops at \\.', () => {
    expect(read({ ...csv, header: true }, 'a,b\n1,2\n\\.\n3,4\n')).toEqual([['1', '2']]);
  });
});

describe('COPY output', () => {
  it('escapes text format values and prints NULL as \\N', () => {
    expect(formatCopyRow(['a\tb', null, 'c\\d\ne\r'], text)).toBe('a\\tb\t\\N\tc\\\\d\\ne\\r\n');
    expect(formatCopyRow(['a|b'], { ...text, delimiter: '|' })).toBe('a\\|b\n');
  });

  it('quotes csv values only where needed', () => {
    expect(formatCopyRow(['plain', 'a,b', 'say "hi"'], csv)).toBe('plain,"a,b","say ""hi"""\n');
    expect(formatCopyRow(['line\nbreak', '', null], csv)).toBe('"line\nbreak","",\n');
    expect(formatCopyRow(['\\.'], csv)).toBe('"\\."\n');
    expect(formatCopyRow(['\\.', 'x'], csv)).toBe('\\.,x\n');
  });

  it('applies FORCE_QUOTE, QUOTE and ESCAPE', () => {
    expect(formatCopyRow(['1', null, 'x'], { ...csv, forceQuote: [true, true, false] })).toBe('"1",,x\n');
    expect(formatCopyRow(["it's", 'a"b'], { ...csv, quote: "'", escape: '\\' })).toBe("'it\\'s',a\"b\n");
  });

  it('prints a header line', () => {
    expect(formatCopyHeader(['a', 'b c', 'd,e'], csv)).toBe('a,b c,"d,e"\n');
    expect(formatCopyHeader(['a', 'b'], text)).toBe('a\tb\n');
  });

  it('round-trips through the reader', () => {
    const rows: (string | null)[][] = [
      ['a\tb\\', null, ''],
      ['x,"y"\n', '\\N', 'é'],
    ];
    for (const fmt of [text, csv]) {
      const out = rows.map((r) => formatCopyRow(r, fmt)).join('');
      expect(read(fmt, out)).toEqual(rows);
    }
  });
});
