import { describe, expect, it } from 'vitest';
import type { CopyOption } from '../../grammar/ast.ts';
import { copyFormatOf } from './copy.ts';
import { SqlError } from '../errors.ts';

const opt = (name: string, value?: string | string[]): CopyOption => ({ name, ...(value !== undefined ? { value } : {}), pos: 0 });

function fails(options: CopyOption[], direction: 'from' | 'to' = 'from'): [string, string] {
  try {
    copyFormatOf(options, direction, ['a', 'b']);
  } catch (err) {
    if (err instanceof SqlError) return [err.code, err.message];
    throw err;
  }
  throw new Error('expected an error');
}

describe('COPY options', () => {
  it('defaults to text with tab and \\N, CSV to comma, empty NULL and double quotes', () => {
    expect(copyFormatOf([], 'from', ['a'])).toMatchObject({ format: 'text', delimiter: '\t', null: '\\N', header: false });
    expect(copyFormatOf([opt('format', 'csv'), opt('header')], 'from', ['a'])).toMatchObject({
      format: 'csv',
      delimiter: ',',
      null: '',
      quote: '"',
      escape: '"',
      header: true,
    });
  });

  it('accepts FORMAT binary (with HEADER false)', () => {
    expect(copyFormatOf([opt('format', 'binary'), opt('header', 'false')], 'to', ['a']).format).toBe('binary');
  });

  it('reads HEADER values and FORCE_QUOTE lists', () => {
    expect(copyFormatOf([opt('header', 'off')], 'to', ['a']).header).toBe(false);
    expect(copyFormatOf([opt('format', 'csv'), opt('force_quote', ['b'])], 'to', ['a', 'b']).forceQuote).toEqual([false, true]);
    expect(copyFormatOf([opt('format', 'csv'), opt('force_quote', '*')], 'to', ['a', 'b']).forceQuote).toEqual([true, true]);
  });

  it('rejects what PostgreSQL rejects', () => {
    expect(fails([opt('format', 'xml')])).toEqual(['22023', 'COPY format "xml" not recognized']);
    expect(fails([opt('format', 'binary'), opt('delimiter', ',')])).toEqual(['42601', 'cannot specify DELIMITER in BINARY mode']);
    expect(fails([opt('format', 'binary'), opt('null', '')])).toEqual(['42601', 'cannot specify NULL in BINARY mode']);
    expect(fails([opt('format', 'binary'), opt('header')])).toEqual(['42601', 'cannot specify HEADER in BINARY mode']);
    expect(fails([opt('format', 'binary'), opt('quote', '"')])).toEqual(['0A000', 'COPY quote available only in CSV mode']);
    expect(fails([opt('delimiter', '||')])).toEqual(['0A000', 'COPY delimiter must be a single one-byte character']);
    expect(fails([opt('delimiter', '\n')])).toEqual(['22023', 'COPY delimiter cannot be newline or carriage return']);
    expect(fails([opt('quote', "'")])).toEqual(['0A000', 'COPY quote available only in CSV mode']);
    expect(fails([opt('format', 'csv'), opt('delimiter', '"')])).toEqual(['22023', 'COPY delimiter and quote must be different']);
    expect(fails([opt('delimiter', ','), opt('null', 'a,b')])).toEqual(['22023', 'COPY delimiter character must not appear in the NULL specification']);
    expect(fails([opt('format', 'csv'), opt('force_quote', '*')], 'from')).toEqual(['0A000', 'COPY force quote only available using COPY TO']);
    expect(fails([opt('format', 'csv'), opt('force_quote', ['zz'])], 'to')).toEqual(['42703', 'column "zz" does not exist']);
    expect(fails([opt('header'), opt('header', 'false')])).toEqual(['42601', 'conflicting or redundant options']);
    expect(fails([opt('oids')])).toEqual(['42601', 'option "oids" not recognized']);
  });
});
