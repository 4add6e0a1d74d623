import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DATE, INT, NAME, STRING, arrayOf, char, decimal } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { functions } from './functions.ts';
import { callRaw, run } from './test-helpers.ts';

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

describe('concatenation', () => {
  it('|| joins strings and casts other scalars to text', () => {
    expect(run('||', [S, S], ['ab', 'cd'])).toBe('abcd');
    expect(run('||', [S, INT], ['n=', 5])).toBe('n=5');
    expect(run('||', [DATE, S], [0, '!'])).toBe('1970-01-01!');
    expect(run('||', [S, S], ['a', null])).toBe('NULL');
  });
  it('concat is NULL if any argument is NULL (Flink); concat_ws skips NULLs', () => {
    expect(run('concat', [S, S, S], ['AA', 'BB', 'CC'])).toBe('AABBCC');
    expect(run('concat', [S, S], ['AA', null])).toBe('NULL');
    expect(run('concat', [S, INT], ['a', 1])).toBe('a1');
    expect(run('concat_ws', [S, S, S, S, S, S], ['~', 'AA', null, 'BB', '', 'CC'])).toBe('AA~BB~~CC');
    expect(run('concat_ws', [S, S], [null, 'a'])).toBe('NULL');
  });
});

describe('case, length and substrings', () => {
  it('upper / lower / initcap', () => {
    expect(run('upper', [S], ['straße'])).toBe('STRASSE');
    expect(run('lower', [S], ['ABC'])).toBe('abc');
    expect(run('initcap', [S], ['hello wORLD-foo bar_baz'])).toBe('Hello World-Foo Bar_Baz');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(callRaw('length', [S], ['héllo😀'])).toEqual({ value: 6, type: INT });
    expect(run('char_length', [S], [''])).toBe('0');
    expect(run('octet_length', [S], ['é'])).toBe('2');
    expect(run('length', [char(5)], ['ab   '])).toBe('2');
  });
  it('substring follows Postgres windows', () => {
    expect(run('substring', [S, INT, INT], ['Thomas', 2, 3])).toBe('hom');
    expect(run('substring', [S, INT], ['Thomas', 3])).toBe('omas');
    expect(run('substring', [S, INT, INT], ['Thomas', 0, 3])).toBe('Th');
    expect(run('substring', [S, INT, INT], ['Thomas', -1, 3])).toBe('T');
    expect(run('substr', [S, INT, INT], ['héllo', 2, 2])).toBe('él');
    expect(run('substring', [S, INT, INT], ['abc', 5, 2])).toBe('');
    expect(sqlstate(() => run('substring', [S, INT, INT], ['abc', 1, -1]))).toBe('22011 negative substring length not allowed');
  });
  it('position / strpos / instr / locate', () => {
    expect(run('position', [S, S], ['om', 'Thomas'])).toBe('3');
    expect(run('strpos', [S, S], ['Thomas', 'om'])).toBe('3');
    expect(run('position', [S, S], ['x', 'Thomas'])).toBe('0');
    expect(run('position', [S, S], ['', 'abc'])).toBe('1');
    expect(run('instr', [S, S], ['hello', 'l'])).toBe('3');
    expect(run('locate', [S, S], ['l', 'hello'])).toBe('3');
    expect(run('locate', [S, S, INT], ['l', 'hello', 4])).toBe('4');
  });
  it('left / right / repeat / reverse', () => {
    expect(run('left', [S, INT], ['abcde', 2])).toBe('ab');
    expect(run('left', [S, INT], ['abcde', -2])).toBe('');
    expect(run('right', [S, INT], ['abcde', 2])).toBe('de');
    expect(run('right', [S, INT], ['abcde', -2])).toBe('');
    expect(run('repeat', [S, INT], ['ab', 3])).toBe('ababab');
    expect(run('repeat', [S, INT], ['ab', -1])).toBe('');
    expect(run('reverse', [S], ['abc'])).toBe('cba');
  });
});

describe('trimming and padding', () => {
  it('trim family', () => {
    expect(run('trim', [S], ['  a b  '])).toBe('a b');
    expect(run('trim', [S, S, S], ['BOTH', 'xy', 'xyaxbyx'])).toBe('axb');
    expect(run('trim', [S, S, S], ['LEADING', 'x', 'xxaxx'])).toBe('axx');
    expect(run('trim', [S, S, S], ['TRAILING', 'x', 'xxaxx'])).toBe('xxa');
    expect(run('btrim', [S, S], ['xyxtrimyyx', 'xy'])).toBe('trim');
    expect(run('ltrim', [S], ['  a '])).toBe('a ');
    expect(run('rtrim', [S, S], ['axx', 'x'])).toBe('a');
  });
  it('lpad / rpad truncate and cycle the fill', () => {
    expect(run('lpad', [S, INT, S], ['hi', 4, '??'])).toBe('??hi');
    expect(run('lpad', [S, INT, S], ['hi', 1, '??'])).toBe('h');
    expect(run('rpad', [S, INT, S], ['hi', 5, 'xy'])).toBe('hixyx');
    expect(run('lpad', [S, INT], ['hi', 4])).toBe('  hi');
    expect(run('lpad', [S, INT, S], ['hi', 5, ''])).toBe('hi');
  });
});

describe('replace, split and friends', () => {
  it('replace', () => {
    expect(run('replace', [S, S, S], ['hello world', 'world', 'flink'])).toBe('hello flink');
    expect(run('replace', [S, S, S], ['ababab', 'abab', 'z'])).toBe('zab');
    expect(run('replace', [S, S, S], ['abc', '', 'z'])).toBe('abc');
  });
  it('split_part and split_index', () => {
    expect(run('split_part', [S, S, INT], ['abc~@~def~@~ghi', '~@~', 2])).toBe('def');
    expect(run('split_part', [S, S, INT], ['a,b,c', ',', -1])).toBe('c');
    expect(run('split_part', [S, S, INT], ['a,b', ',', 5])).toBe('');
    expect(sqlstate(() => run('split_part', [S, S, INT], ['a', ',', 0]))).toBe('22023 field position must not be zero');
    expect(run('split_index', [S, S, INT], ['Jack,John,Mary', ',', 2])).toBe('Mary');
    expect(run('split_index', [S, S, INT], ['Jack,John,Mary', ',', 3])).toBe('NULL');
  });
  it('string_to_array / array_to_string', () => {
    expect(run('string_to_array', [S, S], ['xx~^~yy~^~zz', '~^~'])).toBe('{xx,yy,zz}');
    expect(run('string_to_array', [S, S, S], ['a,*,b', ',', '*'])).toBe('{a,NULL,b}');
    expect(run('string_to_array', [S, S], ['abc', null])).toBe('{a,b,c}');
    expect(run('string_to_array', [S, S], ['', ','])).toBe('{}');
    expect(run('array_to_string', [arrayOf(INT), S], [[1, 2, null, 3], ','])).toBe('1,2,3');
    expect(run('array_to_string', [arrayOf(INT), S, S], [[1, null, 3], ',', '*'])).toBe('1,*,3');
    expect(run('array_to_string', [arrayOf(BOOLEAN), S], [[true, false], '-'])).toBe('t-f');
  });
  it('starts_with, md5, chr, ascii, to_hex, translate, overlay', () => {
    expect(run('starts_with', [S, S], ['alphabet', 'alph'])).toBe('t');
    expect(run('md5', [S], ['abc'])).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(run('chr', [INT], [65])).toBe('A');
    expect(sqlstate(() => run('chr', [INT], [0]))).toBe('54000 null character not permitted');
    expect(run('ascii', [S], ['x'])).toBe('120');
    expect(run('to_hex', [INT], [2147483647])).toBe('7fffffff');
    expect(run('to_hex', [INT], [-1])).toBe('ffffffff');
    expect(run('to_hex', [BIGINT], [-1n])).toBe('ffffffffffffffff');
    expect(run('translate', [S, S, S], ['12345', '143', 'ax'])).toBe('a2x5');
    expect(run('overlay', [S, S, INT], ['xxxxxtest', 'xxxx', 6])).toBe('xxxxxxxxx');
    expect(run('overlay', [S, S, INT, INT], ['xxxxxtest', 'xxxx', 6, 2])).toBe('xxxxxxxxxst');
    expect(run('to_base64', [S], ['hello world'])).toBe('aGVsbG8gd29ybGQ=');
  });
});

describe('quoting and format', () => {
  it('quote_ident quotes only when needed', () => {
    expect(run('quote_ident', [S], ['foo'])).toBe('foo');
    expect(run('quote_ident', [S], ['Foo bar'])).toBe('"Foo bar"');
    expect(run('quote_ident', [S], ['select'])).toBe('"select"');
    expect(run('quote_ident', [S], ['a"b'])).toBe('"a""b"');
    expect(run('quote_ident', [NAME], ['tt1'])).toBe('tt1');
  });
  it('quote_literal / quote_nullable', () => {
    expect(run('quote_literal', [S], ["O'Reilly"])).toBe("'O''Reilly'");
    expect(run('quote_literal', [S], ['a\\b'])).toBe("E'a\\\\b'");
    expect(run('quote_nullable', [S], [null])).toBe('NULL');
  });
  it('format with %s %I %L and positions', () => {
    expect(run('format', [S, S, S], ['%I.%I', 'public', 'My Table'])).toBe('public."My Table"');
    expect(run('format', [S, S, INT], ['%s = %L', 'x', 5])).toBe("x = '5'");
    expect(run('format', [S, S], ['%L', null])).toBe('NULL');
    expect(run('format', [S, S, S], ['%2$s %1$s', 'a', 'b'])).toBe('b a');
    expect(run('format', [S, decimal(5, 2)], ['%s%%', 1250n])).toBe('12.50%');
    expect(sqlstate(() => run('format', [S], ['%s']))).toBe('22023 too few arguments for format()');
  });
});

describe('resolution', () => {
  it('reports a missing overload with Postgres names', () => {
    let err: SqlError | undefined;
    try {
      functions.resolveScalar('upper', [INT]);
    } catch (e) {
      err = e as SqlError;
    }
    expect(err?.code).toBe('42883');
    expect(err?.message).toBe('function upper(integer) does not exist');
    expect(err?.hint).toBe('No function matches the given name and argument types. You might need to add explicit type casts.');
  });
  it('returns undefined for unknown names and accepts pg_catalog prefixes', () => {
    expect(functions.resolveScalar('no_such_function', [])).toBeUndefined();
    expect(functions.resolveScalar('pg_catalog.upper', [S])?.returnType).toEqual(S);
  });
  it('casts other string kinds to text', () => {
    const r = functions.resolveScalar('upper', [char(3)])!;
    expect(r.argTypes).toEqual([S]);
  });
});
