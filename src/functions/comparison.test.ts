import { describe, expect, it } from 'vitest';
import { BOOLEAN, DATE, DOUBLE, INT, NAME, STRING, arrayOf, decimal, timestamp, varchar, char } from '../../catalog/types.ts';
import { SqlError } from '../errors.ts';
import { functions } from './functions.ts';
import { callRaw, run, testContext } from './test-helpers.ts';
import { likeToRegexSource, similarToRegexSource } from './pattern-matching.ts';

function sqlstate(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('comparison operators', () => {
  it('compare numbers across types through the common type', () => {
    expect(run('=', [INT, decimal(5, 2)], [1, 100n])).toBe('t');
    expect(run('<', [INT, DOUBLE], [1, 1.5])).toBe('t');
    expect(run('>=', [decimal(5, 2), decimal(6, 3)], [150n, 1500n])).toBe('t');
    expect(run('<>', [INT, INT], [1, 1])).toBe('f');
    expect(run('<=', [INT, INT], [2, 1])).toBe('f');
  });
  it('compare strings, dates and timestamps', () => {
    expect(run('<', [STRING, STRING], ['abc', 'abd'])).toBe('t');
    expect(run('=', [NAME, STRING], ['pg_class', 'pg_class'])).toBe('t');
    expect(run('=', [DATE, timestamp(6)], [1, 86_400_000_000])).toBe('t');
    expect(run('=', [varchar(3), char(5)], ['ab', 'ab   '])).toBe('t');
  });
  it('compare arrays element-wise', () => {
    expect(run('<', [arrayOf(INT), arrayOf(INT)], [[1, 2], [1, 3]])).toBe('t');
    expect(run('=', [arrayOf(INT), arrayOf(INT)], [[1, 2], [1, 2]])).toBe('t');
  });
  it('return NULL for NULL operands', () => {
    expect(run('=', [INT, INT], [null, 1])).toBe('NULL');
  });
  it('reject incomparable types like Postgres', () => {
    expect(sqlstate(() => functions.resolveScalar('=', [STRING, INT]))).toBe('42883 operator does not exist: text = integer');
    expect(sqlstate(() => functions.resolveScalar('<', [BOOLEAN, DATE]))).toBe('42883 operator does not exist: boolean < date');
  });
});

describe('IS DISTINCT FROM', () => {
  it('treats NULLs as comparable values', () => {
    expect(run('is_distinct_from', [INT, INT], [1, null])).toBe('t');
    expect(run('is_distinct_from', [INT, INT], [null, null])).toBe('f');
    expect(run('is_distinct_from', [INT, INT], [1, 1])).toBe('f');
    expect(run('is_not_distinct_from', [INT, INT], [null, null])).toBe('t');
    expect(functions.resolveScalar('is_distinct_from', [INT, INT])!.strict).toBe(false);
  });
});

describe('ANY / ALL over arrays', () => {
  const A = arrayOf(INT);
  it('follows three-valued logic', () => {
    expect(run('any:=', [INT, A], [2, [1, 2, 3]])).toBe('t');
    expect(run('any:=', [INT, A], [4, [1, 2, 3]])).toBe('f');
    expect(run('any:=', [INT, A], [4, [1, null]])).toBe('NULL');
    expect(run('any:=', [INT, A], [1, [1, null]])).toBe('t');
    expect(run('any:=', [INT, A], [null, []])).toBe('f');
    expect(run('any:=', [INT, A], [null, [1]])).toBe('NULL');
    expect(run('all:<>', [INT, A], [4, [1, 2, 3]])).toBe('t');
    expect(run('all:<>', [INT, A], [2, [1, 2, 3]])).toBe('f');
    expect(run('all:<>', [INT, A], [4, [1, null]])).toBe('NULL');
    expect(run('all:<', [INT, A], [0, []])).toBe('t');
    expect(run('any:>', [INT, A], [2, [5, 1]])).toBe('t');
    expect(run('any:=', [INT, A], [1, null])).toBe('NULL');
  });
  it('coerces the operand to the element type', () => {
    expect(run('any:=', [NAME, arrayOf(NAME)], ['public', ['pg_catalog', 'public']])).toBe('t');
    expect(run('any:=', [STRING, arrayOf(NAME)], ['x', ['pg_catalog', 'public']])).toBe('f');
    expect(run('all:<>', [STRING, arrayOf(STRING)], ['a', ['abs', 'b']])).toBe('t');
  });
  it('requires an array on the right', () => {
    expect(sqlstate(() => functions.resolveScalar('any:=', [INT, INT]))).toMatch(/^42804/);
  });
});

describe('LIKE / ILIKE / SIMILAR TO', () => {
  it('translates patterns', () => {
    expect(likeToRegexSource('a%b_c', '\\')).toBe('^a.*b.c$');
    expect(likeToRegexSource('50\\%', '\\')).toBe('^50%$');
    expect(likeToRegexSource('a.b', null)).toBe('^a\\.b$');
    expect(similarToRegexSource('(a|b)%', null)).toBe('^(?:(?:a|b).*)$');
  });
  it('matches', () => {
    expect(run('like', [STRING, STRING], ['hello', 'h%o'])).toBe('t');
    expect(run('like', [STRING, STRING], ['hello', 'H%'])).toBe('f');
    expect(run('ilike', [STRING, STRING], ['hello', 'H%'])).toBe('t');
    expect(run('like', [STRING, STRING], ['a_b', 'a\\_b'])).toBe('t');
    expect(run('like', [STRING, STRING], ['axb', 'a\\_b'])).toBe('f');
    expect(run('like', [STRING, STRING, STRING], ['10%', '10#%', '#'])).toBe('t');
    expect(run('like', [STRING, STRING], ['line1\nline2', 'line1%'])).toBe('t');
    expect(run('like', [STRING, STRING], ['x', '_'])).toBe('t');
    expect(run('like', [STRING, STRING], ['(x)', '(%)'])).toBe('t');
    expect(run('similar', [STRING, STRING], ['abc', '%(b|d)%'])).toBe('t');
    expect(run('similar', [STRING, STRING], ['abc', '(b|d)%'])).toBe('f');
    expect(run('similar', [STRING, STRING], ['aaa', 'a+'])).toBe('t');
    expect(run('not_like', [STRING, STRING], ['abc', 'a%'])).toBe('f');
  });
  it('rejects a pattern ending in the escape', () => {
    expect(sqlstate(() => run('like', [STRING, STRING], ['a', 'a\\']))).toBe('22025 LIKE pattern must not end with escape character');
  });
});

describe('POSIX regular expressions', () => {
  it('match with ~ !~ ~* !~*', () => {
    expect(run('~', [STRING, STRING], ['pg_temp_3', '^pg_temp_'])).toBe('t');
    expect(run('!~', [NAME, STRING], ['public', '^pg_temp_'])).toBe('t');
    expect(run('~*', [STRING, STRING], ['ABC', '^abc$'])).toBe('t');
    expect(run('!~*', [STRING, STRING], ['ABC', '^abc$'])).toBe('f');
    expect(run('~', [STRING, STRING], ['ab1', '[[:digit:]]$'])).toBe('t');
  });
  it('reports invalid expressions', () => {
    expect(sqlstate(() => run('~', [STRING, STRING], ['a', '(']))).toMatch(/^2201B invalid regular expression/);
  });
  it('regexp_replace / regexp_extract / regexp_match', () => {
    expect(run('regexp_replace', [STRING, STRING, STRING], ['foobar', 'oo|ar', ''])).toBe('fb');
    expect(run('regexp_replace', [STRING, STRING, STRING, STRING], ['foobarbaz', 'b(..)', 'X\\1Y', 'g'])).toBe('fooXarYXazY');
    expect(run('regexp_replace', [STRING, STRING, STRING, STRING], ['Hello', 'L', 'x', 'i'])).toBe('Hexlo');
    expect(run('regexp_extract', [STRING, STRING, INT], ['foothebar', 'foo(.*?)(bar)', 2])).toBe('bar');
    expect(run('regexp_extract', [STRING, STRING], ['foothebar', 'the'])).toBe('the');
    expect(run('regexp_extract', [STRING, STRING], ['foo', 'x'])).toBe('NULL');
    expect(run('regexp_match', [STRING, STRING], ['foobarbequebaz', '(bar)(beque)'])).toBe('{bar,beque}');
    expect(callRaw('regexp', [STRING, STRING], ['abc', 'b']).value).toBe(true);
  });
});

describe('timestamp with and without time zone', () => {
  it('compares in the session zone', () => {
    const LTZ = { kind: 'TIMESTAMP_LTZ', precision: 6 } as const;
    const r = functions.resolveScalar('>', [timestamp(6), LTZ])!;
    expect(r.argTypes).toEqual([LTZ, LTZ]);
    // local 1970-01-01 10:00 in Tokyo is 01:00 UTC
    const tokyo = { timeZone: 'Asia/Tokyo' };
    expect(run('>', [timestamp(6), LTZ], [10 * 3_600_000_000, 3_600_000_000 - 1], testContext(tokyo))).toBe('t');
    expect(run('=', [timestamp(6), LTZ], [10 * 3_600_000_000, 3_600_000_000], testContext(tokyo))).toBe('t');
  });
});

describe('substring with a pattern', () => {
  it('returns the first group or the whole match', () => {
    expect(run('substring', [STRING, STRING], ['foobar', 'o.b'])).toBe('oob');
    expect(run('substring', [STRING, STRING], ['foobar', 'o(.)b'])).toBe('o');
    expect(run('substring', [STRING, STRING], ['foobar', 'x'])).toBe('NULL');
    expect(run('substring', [STRING, INT], ['foobar', 4])).toBe('bar');
  });
});
