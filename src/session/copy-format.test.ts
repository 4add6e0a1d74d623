import { describe, expect, it } from 'vitest';
import { BinaryCopyReader, CopyReader, binaryCopyHeader, binaryCopyTrailer, defaultCopyFormat, formatBinaryRow, formatCopyHeader, formatCopyRow, type CopyFormat } from './copy-format.ts';
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

describe('binary COPY format', () => {
  const int32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const file = (...tuples: Buffer[]): Buffer => Buffer.concat([binaryCopyHeader(), ...tuples, binaryCopyTrailer()]);

  it('writes PostgreSQL\'s header, tuples with int16 counts and int32 lengths, -1 for NULL, and the trailer', () => {
    expect(binaryCopyHeader().toString('hex')).toBe('5047434f50590aff0d0a00' + '00000000' + '00000000');
    expect(binaryCopyTrailer().toString('hex')).toBe('ffff');
    expect(formatBinaryRow([int32(7), null, Buffer.from('ab')]).toString('hex')).toBe('0003' + '00000004' + '00000007' + 'ffffffff' + '00000002' + '6162');
  });

  it('reads tuples split across chunks at every byte', () => {
    const data = file(formatBinaryRow([int32(1), Buffer.from('x')]), formatBinaryRow([null, Buffer.alloc(0)]));
    for (let cut = 0; cut <= data.length; cut++) {
      const r = new BinaryCopyReader(2);
      const rows = [...r.push(data.subarray(0, cut)), ...r.push(data.subarray(cut))];
      r.finish();
      expect(rows.map((row) => row.fields.map((f) => (f === null ? null : Buffer.from(f).toString('hex'))))).toEqual([
        ['00000001', '78'],
        [null, ''],
      ]);
      expect(rows.map((row) => row.line)).toEqual([1, 2]);
    }
  });

  it('skips a header extension and accepts data without a trailer', () => {
    const header = Buffer.concat([binaryCopyHeader().subarray(0, 15), int32(3), Buffer.from('abc')]);
    const r = new BinaryCopyReader(1);
    expect(r.push(Buffer.concat([header, formatBinaryRow([int32(5)])])).length).toBe(1);
    expect(() => r.finish()).not.toThrow();
  });

  it('rejects what PostgreSQL rejects', () => {
    const err = (f: () => unknown): [string, string] => {
      try {
        f();
      } catch (e) {
        if (e instanceof SqlError) return [e.code, e.message];
        throw e;
      }
      throw new Error('expected an error');
    };
    const read = (bytes: Buffer, columns = 1): void => {
      const r = new BinaryCopyReader(columns);
      r.push(bytes);
      r.finish();
    };
    expect(err(() => read(Buffer.from('1\t2\n')))).toEqual(['22P04', 'COPY file signature not recognized']);
    expect(err(() => read(Buffer.alloc(0)))).toEqual(['22P04', 'COPY file signature not recognized']);
    const oids = binaryCopyHeader();
    oids.writeInt32BE(1 << 16, 11);
    expect(err(() => read(oids))).toEqual(['22P04', 'invalid COPY file header (WITH OIDS)']);
    const critical = binaryCopyHeader();
    critical.writeInt32BE(1 << 17, 11);
    expect(err(() => read(critical))).toEqual(['22P04', 'unrecognized critical flags in COPY file header']);
    expect(err(() => read(file(formatBinaryRow([int32(1), int32(2)]))))).toEqual(['22P04', 'row field count is 2, expected 1']);
    expect(err(() => read(Buffer.concat([binaryCopyHeader(), formatBinaryRow([int32(1)]).subarray(0, 7)])))).toEqual(['22P04', 'unexpected EOF in COPY data']);
    expect(err(() => read(Buffer.concat([binaryCopyHeader(), Buffer.from('0001fffffffe', 'hex')])))).toEqual(['22P04', 'invalid field size']);
    expect(err(() => read(Buffer.concat([file(), Buffer.from('00')])))).toEqual(['22P04', 'received copy data after EOF marker']);
  });
});
